// A named .bss variant (.bss.NAME), which bpftool's bundled libbpf predates.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u32 extra_zeroes[4] SEC(".bss.extra");

SEC("xdp")
int use_extra(struct xdp_md *ctx) {
  extra_zeroes[ctx->rx_queue_index & 3]++;
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
