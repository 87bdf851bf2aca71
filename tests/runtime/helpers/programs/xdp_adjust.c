// bpf_xdp_adjust_meta, bpf_xdp_adjust_head and bpf_xdp_adjust_tail with the
// deltas in `params`: records the return values and the resulting sizes,
// and marks the first byte of the packet and of the metadata so that the
// output packet shows where they went.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct params {
	__s32 meta;
	__s32 head;
	__s32 tail;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct params);
} params SEC(".maps");

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
int adjust(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct params *p = bpf_map_lookup_elem(&params, &zero);
	void *data, *data_end, *meta;

	if (!p)
		return XDP_ABORTED;
	put(0, bpf_xdp_adjust_meta(ctx, p->meta));
	put(1, bpf_xdp_adjust_head(ctx, p->head));
	put(2, bpf_xdp_adjust_tail(ctx, p->tail));
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	meta = (void *)(long)ctx->data_meta;
	put(3, data_end - data);
	put(4, data - meta);
	if (data + 1 <= data_end)
		*(__u8 *)data = 0xaa;
	if (meta + 4 <= data)
		*(__u32 *)meta = 0x44332211;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
