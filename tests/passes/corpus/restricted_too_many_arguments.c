// More than five arguments to functions that stay BPF-to-BPF calls: a
// global function and a static noinline one. A plain static function with
// six parameters (fold) is inlined by ebpfc and passes.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__attribute__((noinline)) int mix6(__u32 a, __u32 b, __u32 c, __u32 d, __u32 e, __u32 f) { return a ^ b ^ c ^ d ^ e ^ f; }

static __attribute__((noinline)) int sum6(__u32 a, __u32 b, __u32 c, __u32 d, __u32 e, __u32 f) {
  return a + b + c + d + e + f;
}

static int fold(__u32 a, __u32 b, __u32 c, __u32 d, __u32 e, __u32 f) { return (a + b) * (c + d) * (e + f); }

SEC("xdp") int wide(struct xdp_md *ctx) {
  __u32 q = ctx->rx_queue_index;
  return mix6(q, 1, 2, 3, 4, 5) + sum6(q, q, q, q, q, q) + fold(q, 2, 3, 4, 5, 6);
}

char _license[] SEC("license") = "GPL";

// ERROR: 17:10: call to 'mix6' passes 6 arguments in registers; a BPF-to-BPF call passes at most 5
// NOTE: 'mix6' is defined here
// NOTE: pass the arguments in a struct, by pointer, or make 'mix6' static and not noinline (ebpfc inlines static functions with more than 5 parameters)
// ERROR: 17:35: call to 'sum6' passes 6 arguments in registers; a BPF-to-BPF call passes at most 5
// NOTE: 'sum6' is defined here
// NOTE: pass the arguments in a struct, by pointer, or make 'sum6' static and not noinline (ebpfc inlines static functions with more than 5 parameters)
