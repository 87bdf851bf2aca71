// An XDP program calling bpf_skb_store_bytes, which only skb programs may
// call: the kernel's verifier refuses it, and so does ebpfvm at load.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int wrong_helper(struct xdp_md *ctx)
{
	__u32 value = 0;

	bpf_skb_store_bytes((struct __sk_buff *)ctx, 0, &value, sizeof(value), 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
