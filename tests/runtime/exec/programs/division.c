// Division and modulo by zero, which the ISA defines: x / 0 = 0 and
// x % 0 = x. The quotient and remainder land in the packet.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int division(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	volatile __u32 zero = 0;
	volatile __u64 zero64 = 0;
	__u32 *out = data;

	if ((void *)(out + 4) > data_end)
		return XDP_ABORTED;
	out[0] = 1000 / zero;
	out[1] = 1000 % zero;
	out[2] = (__u32)(123456789012ULL / zero64);
	out[3] = (__u32)(123456789012ULL % zero64);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
