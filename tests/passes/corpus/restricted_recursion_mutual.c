// Mutual recursion through a forward declaration: one error for the cycle,
// at its first call, with the other call as a note.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static int parse_inner(__u8 *p, __u8 *end, int level);

static int parse_outer(__u8 *p, __u8 *end, int level) {
  if (p + 1 > end || level > 3)
    return level;
  return *p == 0x81 ? parse_inner(p + 1, end, level + 1) : level;
}

static int parse_inner(__u8 *p, __u8 *end, int level) {
  if (p + 1 > end)
    return level;
  return *p == 0x88 ? parse_outer(p + 1, end, level + 1) : level;
}

SEC("xdp") int nested(struct xdp_md *ctx) {
  return parse_outer((__u8 *)(long)ctx->data, (__u8 *)(long)ctx->data_end, 0) > 2 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";

// ERROR: 11:23: recursion is not allowed in BPF programs: parse_outer -> parse_inner -> parse_outer
// NOTE: 'parse_inner' calls 'parse_outer' here
// NOTE: the verifier rejects every cycle of calls; rewrite the recursion as a bounded loop
