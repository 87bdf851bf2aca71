// memcmp in an always_inline helper: its size is checked after inlining,
// where one call stays variable (an error at the memcmp, with the call it
// was inlined into) and the other becomes a constant (fine).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __always_inline int equal(const void *a, const void *b, __u32 n) { return __builtin_memcmp(a, b, n) == 0; }

SEC("xdp") int compare(struct xdp_md *ctx) {
  __u8 *data = (__u8 *)(long)ctx->data;
  if (data + 32 > (__u8 *)(long)ctx->data_end)
    return XDP_PASS;
  if (equal(data, data + 6, 6))
    return XDP_DROP;
  return equal(data, data + 16, ctx->rx_queue_index & 15) ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";

// ERROR: 7:82: call to 'memcmp' with a size that is not a compile-time constant
// NOTE: inlined into 'compare' here
// NOTE: eBPF cannot call memcmp at run time; the compiler expands it into loads and compares, which needs a constant size: use a constant (maximum) size, or a bounded loop
