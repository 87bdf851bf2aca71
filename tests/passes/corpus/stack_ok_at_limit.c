// Exactly 512 bytes along the chain (448 + 64): accepted and loaded.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __attribute__((noinline)) int tail(__u32 seed) {
  volatile __u8 small[64];
  small[seed & 63] = seed;
  return small[1];
}

SEC("xdp") int at_limit(struct xdp_md *ctx) {
  volatile __u8 big[448];
  big[ctx->rx_queue_index & 255] = 1;
  return tail(big[3] + ctx->ingress_ifindex) & 1 ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
