// Helpers without packet effects whose results the kernel defines exactly:
// bpf_redirect's flag checks, bpf_loop, bpf_for_each_map_elem, spin locks,
// bpf_get_smp_processor_id, map push/pop/peek, bpf_xdp_load_bytes and
// bpf_xdp_store_bytes.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_map;

struct value {
	struct bpf_spin_lock lock;
	__u32 count;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct value);
} locked SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} numbers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 2);
	__uint(value_size, sizeof(__u32));
} queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 24);
	__type(key, __u32);
	__type(value, __s64);
} results SEC(".maps");

static __always_inline void put(__u32 slot, __s64 value)
{
	bpf_map_update_elem(&results, &slot, &value, BPF_ANY);
}

static long add_index(__u32 index, void *context)
{
	*(__u64 *)context += index;
	return index == 6; // stop after index 6
}

static long sum_values(struct bpf_map *map, __u32 *key, __u64 *value, void *context)
{
	*(__u64 *)context += *value + *key;
	*value += 1;
	return 0;
}

SEC("xdp")
int misc(struct xdp_md *ctx)
{
	__u64 sum = 0;
	__u32 key = 1, item;
	struct value *v;
	__u8 bytes[4] = {9, 8, 7, 6};

	put(0, bpf_redirect(3, 0));
	put(1, bpf_redirect(3, 1));
	put(2, bpf_loop(10, add_index, &sum, 0));
	put(3, sum);
	put(4, bpf_loop(5, add_index, &sum, 1));
	sum = 0;
	put(5, bpf_for_each_map_elem(&numbers, sum_values, &sum, 0));
	put(6, sum);
	v = bpf_map_lookup_elem(&locked, &key);
	if (v) {
		bpf_spin_lock(&v->lock);
		v->count += 3;
		bpf_spin_unlock(&v->lock);
	}
	put(7, bpf_get_smp_processor_id());
	item = 11;
	put(8, bpf_map_push_elem(&queue, &item, 0));
	item = 12;
	put(9, bpf_map_push_elem(&queue, &item, 0));
	item = 13;
	put(10, bpf_map_push_elem(&queue, &item, 0));
	put(11, bpf_map_push_elem(&queue, &item, BPF_EXIST));
	put(12, bpf_map_pop_elem(&queue, &item));
	put(13, item);
	put(14, bpf_map_peek_elem(&queue, &item));
	put(15, item);
	put(16, bpf_xdp_store_bytes(ctx, 2, bytes, 4));
	put(17, bpf_xdp_load_bytes(ctx, 0, bytes, 4));
	put(18, *(__u32 *)bytes);
	put(19, bpf_xdp_load_bytes(ctx, 100, bytes, 4));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
