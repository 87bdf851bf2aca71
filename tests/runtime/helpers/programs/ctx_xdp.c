// xdp_md as the test run sets it up.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

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
int context(struct xdp_md *ctx)
{
	put(0, ctx->data_end - ctx->data);
	put(1, ctx->data - ctx->data_meta);
	put(2, ctx->ingress_ifindex);
	put(3, ctx->rx_queue_index);
	put(4, bpf_xdp_get_buff_len(ctx));
	put(5, bpf_get_smp_processor_id());
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
