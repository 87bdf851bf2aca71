// Plain constant-bound loops, no pragma: unrolled for a kernel without
// bounded loops, then loads.
// FLAGS: --target-kernel=4.19
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp") int sum_header(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
  unsigned char *bytes = data;
  __u32 sum = 0;
  for (int i = 0; i < 14; i++) {
    if ((void *)(bytes + i + 1) > end)
      break;
    sum += bytes[i];
  }
  return sum & 1 ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
