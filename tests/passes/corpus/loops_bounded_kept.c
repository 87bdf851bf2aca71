// From 5.3 a loop with a provable bound stays a loop (as clang compiles it).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp") int sum_bytes(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
  unsigned char *p = data;
  __u32 sum = 0;
#pragma nounroll
  for (int i = 0; i < 64; i++) {
    if ((void *)(p + i + 1) > end)
      break;
    sum += p[i];
  }
  return sum & 1 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
