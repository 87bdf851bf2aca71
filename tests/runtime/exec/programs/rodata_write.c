// Writes a const global (in .rodata, read-only for programs).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile __u32 limit = 5;

SEC("xdp")
int rodata_write(struct xdp_md *ctx)
{
	*(volatile __u32 *)&limit = 7;
	return limit == 7 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
