// Nine nested BPF-to-BPF calls: the verifier allows eight frames.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define LEVEL(name, next) static __attribute__((noinline)) __u32 name(__u32 x) { return next(x * 3 + 1) ^ x; }
static __attribute__((noinline)) __u32 h8(__u32 x) { return x * 7; }
LEVEL(h7, h8)
LEVEL(h6, h7)
LEVEL(h5, h6)
LEVEL(h4, h5)
LEVEL(h3, h4)
LEVEL(h2, h3)
LEVEL(h1, h2)

SEC("xdp") int nest(struct xdp_md *ctx) { return h1(ctx->rx_queue_index) & 1; }

char _license[] SEC("license") = "GPL";

// ERROR: 15:16: program 'nest' calls 9 functions deep (nest -> h1 -> h2 -> h3 -> h4 -> h5 -> h6 -> h7 -> h8), more than the 8 frames the verifier allows
// NOTE: make some of these functions static __always_inline, or flatten the call chain
