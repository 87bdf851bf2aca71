#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp_drop")
int drop_all(struct xdp_md *ctx) { return XDP_DROP; }

char _license[] SEC("license") = "GPL";
