// Ring buffer output: bpf_ringbuf_output, reserve/submit, reserve/discard,
// query, and a refused flag.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __s64);
} results SEC(".maps");

static __always_inline void put(__u32 slot, __s64 value)
{
	bpf_map_update_elem(&results, &slot, &value, BPF_ANY);
}

SEC("xdp")
int output(struct xdp_md *ctx)
{
	__u64 record = 0x1122334455667788ULL;
	__u32 *reserved;

	put(0, bpf_ringbuf_output(&events, &record, sizeof(record), 0));
	reserved = bpf_ringbuf_reserve(&events, sizeof(*reserved), 0);
	if (reserved) {
		*reserved = 0xcafe;
		bpf_ringbuf_submit(reserved, 0);
	}
	reserved = bpf_ringbuf_reserve(&events, sizeof(*reserved), 0);
	if (reserved) {
		*reserved = 0xdead;
		bpf_ringbuf_discard(reserved, 0);
	}
	put(1, bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA));
	put(2, bpf_ringbuf_query(&events, BPF_RB_RING_SIZE));
	put(3, bpf_ringbuf_output(&events, &record, sizeof(record), 8));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
