// An unrolled loop of about 4,500 instructions: over the 4096 that Linux
// 4.19 accepts per program.
// FLAGS: --target-kernel=4.19
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u32[64]);
} table SEC(".maps");

SEC("xdp") int scramble(struct xdp_md *ctx) {
  __u32 key = 0;
  __u32 *words = bpf_map_lookup_elem(&table, &key);
  if (!words)
    return XDP_PASS;
#pragma unroll
  for (int i = 0; i < 1100; i++)
    words[i & 63] ^= words[(i * 7) & 63] + i;
  return XDP_PASS;
}

char _license[] SEC("license") = "GPL";

// ERROR: 14:16: program 'scramble' has 5334 instructions, more than the limit of 4096 for Linux 4.19
// NOTE: split the work into programs chained with bpf_tail_call, or unroll fewer loop iterations, or raise --target-kernel to 5.2 or later, where the limit is 1000000
