// A zeroing loop of variable length: clang turns it into a variable-size
// memset the BPF backend rejects; ebpfc keeps the loop (bounded by 64).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp") int clear_prefix(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
  unsigned char buf[64];
  unsigned char *p = data;
  if ((void *)(p + 1) > end)
    return XDP_DROP;
  unsigned n = p[0];
  if (n > 64)
    n = 64;
  for (unsigned i = 0; i < 64; i++)
    buf[i] = (unsigned char)i;
  for (unsigned i = 0; i < n; i++)
    buf[i] = 0;
  return buf[p[0] & 63] ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
