// A function that calls itself: the verifier rejects any cycle of calls.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static int depth(__u32 n) {
  if (n == 0)
    return 0;
  return 1 + depth(n / 2);
}

SEC("xdp") int recurse(struct xdp_md *ctx) { return depth(ctx->rx_queue_index) > 4 ? XDP_DROP : XDP_PASS; }

char _license[] SEC("license") = "GPL";

// ERROR: 8:14: recursion is not allowed in BPF programs: 'depth' calls itself
// NOTE: the verifier rejects every cycle of calls; rewrite the recursion as a bounded loop
