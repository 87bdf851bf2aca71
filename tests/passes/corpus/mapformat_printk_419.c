// For a kernel without global data, bpf_printk's format is built on the
// stack instead of living in .rodata.
// FLAGS: --target-kernel=4.19
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp") int trace(struct xdp_md *ctx) {
  bpf_printk("xdp on ifindex %u", ctx->ingress_ifindex);
  return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
