// memcpy/memset with a size known only at run time, in a program and in a
// global function; a size from a constant local is fine.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__attribute__((noinline)) int copy_options(__u8 *dst, const __u8 *src, __u32 len) {
  __builtin_memcpy(dst, src, len);
  return dst[0];
}

SEC("xdp") int options(struct xdp_md *ctx) {
  __u8 a[40], b[40];
  const __u32 header = 20;
  __builtin_memset(a, 0, header);
  __builtin_memset(b, 0, ctx->rx_queue_index & 31);
  return copy_options(a, b, 8) ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";

// ERROR: 7:30: call to '__builtin_memcpy' with a size that is not a compile-time constant
// NOTE: eBPF cannot call '__builtin_memcpy' at run time; the compiler expands it into loads and stores, which needs a constant size: use a constant (maximum) size, or a bounded loop
// NOTE: or make 'copy_options' static __always_inline, so that the size can become constant where it is called
// ERROR: 15:26: call to '__builtin_memset' with a size that is not a compile-time constant
// NOTE: eBPF cannot call '__builtin_memset' at run time; the compiler expands it into loads and stores, which needs a constant size: use a constant (maximum) size, or a bounded loop
