// The case: a kernel without global data or bounded loops, plain
// loops and global variables.
// FLAGS: --target-kernel=4.19 --globals=maps
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u32 histogram[16];
__u32 seed = 2166136261u;

SEC("xdp") int fingerprint(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
  unsigned char *p = data;
  if ((void *)(p + 16) > end)
    return XDP_PASS;
  __u32 h = seed;
  for (int i = 0; i < 16; i++)
    h = (h ^ p[i]) * 16777619u;
  histogram[h & 15]++;
  return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
