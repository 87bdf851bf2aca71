// Reads the packet without checking data_end: a 60-byte read of a shorter
// packet runs past it.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int past_data_end(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	__u32 word = *(volatile __u32 *)(data + 56);
	return word == 1 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
