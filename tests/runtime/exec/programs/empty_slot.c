// Tail-calls into an empty prog-array slot (and one out of range): both
// fall through to the code after the call.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} jump_table SEC(".maps");

SEC("xdp")
int empty_slot(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &jump_table, 2);
	bpf_tail_call(ctx, &jump_table, 9);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
