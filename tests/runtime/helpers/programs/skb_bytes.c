// The skb byte helpers with arguments from `params`: bpf_skb_store_bytes,
// bpf_skb_load_bytes, bpf_skb_load_bytes_relative, bpf_skb_pull_data,
// bpf_skb_change_tail and bpf_skb_change_head. Return values and loaded
// bytes go to `results`; the output packet shows the changes.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct params {
	__u32 offset;
	__u32 length; // 1..16: (length & 15) + 1
	__u64 store_flags;
	__u32 tail_length;
	__u32 head_room;
	__u64 change_flags;
	__u32 relative_offset;
	__u32 start_header;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct params);
} params SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __s64);
} results SEC(".maps");

static __always_inline void put(__u32 slot, __s64 value)
{
	bpf_map_update_elem(&results, &slot, &value, BPF_ANY);
}

SEC("tc")
int bytes(struct __sk_buff *skb)
{
	__u32 zero = 0;
	struct params *p = bpf_map_lookup_elem(&params, &zero);
	__u8 pattern[16] = {0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
	__u8 loaded[16] = {};
	__u64 first = 0, second = 0;
	__u32 length;

	if (!p)
		return TC_ACT_SHOT;
	length = (p->length & 15) + 1;
	put(0, bpf_skb_store_bytes(skb, p->offset, pattern, length, p->store_flags));
	put(1, bpf_skb_load_bytes(skb, p->offset, loaded, length));
	__builtin_memcpy(&first, loaded, 8);
	__builtin_memcpy(&second, loaded + 8, 8);
	put(2, first);
	put(3, second);
	__builtin_memset(loaded, 0x55, sizeof(loaded));
	put(4, bpf_skb_load_bytes_relative(skb, p->relative_offset, loaded, 8, p->start_header));
	__builtin_memcpy(&first, loaded, 8);
	put(5, first);
	put(6, bpf_skb_pull_data(skb, p->offset));
	put(7, bpf_skb_change_tail(skb, p->tail_length, p->change_flags));
	put(8, skb->len);
	put(9, bpf_skb_change_head(skb, p->head_room, p->change_flags));
	put(10, skb->len);
	put(11, skb->hash);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
