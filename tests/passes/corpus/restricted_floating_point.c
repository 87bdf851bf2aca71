// Floating point in compiled code: a variable, arithmetic, and a helper
// argument; the constant (int)(0.75 * 1000) is folded by clang and passes.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define RATE_PERMILLE ((int)(0.75 * 1000))

SEC("xdp") int sample(struct xdp_md *ctx) {
  float weight = 0.5f;
  __u32 len = ctx->data_end - ctx->data;
  __u32 scaled = len * 1.25;
  static const char fmt[] = "len %d";
  bpf_trace_printk(fmt, sizeof(fmt), 2.0);
  return (scaled * RATE_PERMILLE / 1000 + (__u32)weight) & 1 ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";

// ERROR: 9:9: variable 'weight' has floating-point type 'float', which eBPF does not support
// NOTE: eBPF has no floating-point registers or instructions; use integer arithmetic, e.g. fixed point scaled by 1000
// ERROR: 11:22: floating-point expression of type 'double' cannot be compiled to eBPF
// NOTE: eBPF has no floating-point registers or instructions; use integer arithmetic, e.g. fixed point scaled by 1000
// ERROR: 13:38: floating-point literal of type 'double' cannot be compiled to eBPF
// NOTE: eBPF has no floating-point registers or instructions; use integer arithmetic, e.g. fixed point scaled by 1000
// ERROR: 14:50: floating-point expression of type 'float' cannot be compiled to eBPF
// NOTE: eBPF has no floating-point registers or instructions; use integer arithmetic, e.g. fixed point scaled by 1000
