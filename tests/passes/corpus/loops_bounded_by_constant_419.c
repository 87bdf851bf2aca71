// A loop whose trip count is a packet byte, bounded by a constant: unrolled
// to the bound (each copy keeps its exit test).
// FLAGS: --target-kernel=4.19
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp") int sum_options(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
  unsigned char *p = data;
  if ((void *)(p + 9) > end)
    return XDP_DROP;
  unsigned count = p[0];
  __u32 sum = 0;
  for (unsigned i = 0; i < count && i < 8; i++)
    sum = sum * 31 + p[i + 1];
  return sum & 1 ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
