// A loop whose end depends on a computed value has no provable bound.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp") int spin(struct xdp_md *ctx) {
  __u32 state = ctx->ingress_ifindex;
  while (((state >> 16) & 0xff) != 0)
    state = state * 1103515245 + 12345;
  return state & 1;
}

char _license[] SEC("license") = "GPL";

// ERROR: 7:3: the verifier cannot prove that this loop ends: its trip count has no constant bound
// NOTE: bound the loop by a constant, e.g. 'i < n && i < 64'
