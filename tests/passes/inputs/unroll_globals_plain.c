// The kernel test, as users write it: plain `for` loops with
// constant bounds (no pragma) and global variables. Compiled with
// --target-kernel=4.19 --globals=maps it must behave exactly like
// unroll_globals_by_hand.c.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 packets;                           // .bss
__u32 salt = 0x9e3779b9;                 // .data
const __u8 shifts[4] = {3, 5, 7, 11};    // .rodata

SEC("xdp") int fingerprint(struct xdp_md *ctx) {
  unsigned char *p = (void *)(long)ctx->data;
  void *end = (void *)(long)ctx->data_end;
  packets++;
  if ((void *)(p + 32) > end)
    return XDP_PASS;
  __u32 h = salt;
  for (int i = 0; i < 32; i++)
    h = (h ^ p[i]) * 16777619u;
  for (int i = 0; i < 4; i++)
    h ^= h >> shifts[(p[i] + i) & 3];
  unsigned n = p[0] & 15;
  for (unsigned i = 0; i < n && i < 8; i++)
    p[16 + i] ^= (unsigned char)(h >> i);
  salt = h;
  return h & 1 ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
