// A call through a function pointer: eBPF has no indirect calls.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static int allow(struct xdp_md *ctx) { return XDP_PASS; }
static int deny(struct xdp_md *ctx) { return XDP_DROP; }

struct policy {
  int (*decide)(struct xdp_md *ctx);
};

SEC("xdp") int dispatch(struct xdp_md *ctx) {
  struct policy p = {.decide = ctx->rx_queue_index ? allow : deny};
  return p.decide(ctx);
}

char _license[] SEC("license") = "GPL";

// ERROR: 14:10: call through a function pointer; eBPF has no indirect calls
// NOTE: call the function directly (e.g. switch over the cases), or dispatch between programs with bpf_tail_call and a BPF_MAP_TYPE_PROG_ARRAY
