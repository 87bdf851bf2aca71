// bpf_perf_event_output with packet bytes appended (BPF_F_CTXLEN_MASK), to
// the current CPU's slot and to an explicit one, and with refused flags.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __s64);
} results SEC(".maps");

static __always_inline void put(__u32 slot, __s64 value)
{
	bpf_map_update_elem(&results, &slot, &value, BPF_ANY);
}

SEC("xdp")
int perf(struct xdp_md *ctx)
{
	__u32 sample = 0xa1b2c3d4;

	put(0, bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU | (6ULL << 32), &sample, sizeof(sample)));
	put(1, bpf_perf_event_output(ctx, &events, 1, &sample, 2));
	put(2, bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU | (5000ULL << 32), &sample, sizeof(sample)));
	put(3, bpf_perf_event_output(ctx, &events, 1ULL << 31, &sample, sizeof(sample)));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
