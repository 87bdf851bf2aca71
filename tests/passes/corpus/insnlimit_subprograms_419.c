// Two functions of about 2,500 instructions each: each fits Linux 4.19's
// limit, the program with its subprogram does not.
// FLAGS: --target-kernel=4.19
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u32[64]);
} table SEC(".maps");

static __attribute__((noinline)) int first_half(__u32 seed) {
  __u32 key = 0;
  __u32 *words = bpf_map_lookup_elem(&table, &key);
  if (!words)
    return 0;
#pragma unroll
  for (int i = 0; i < 600; i++)
    words[i & 63] ^= words[(i * 7) & 63] + seed;
  return words[1];
}

SEC("xdp") int two_halves(struct xdp_md *ctx) {
  __u32 key = 0;
  __u32 *words = bpf_map_lookup_elem(&table, &key);
  if (!words)
    return XDP_PASS;
#pragma unroll
  for (int i = 0; i < 600; i++)
    words[i & 63] += words[(i * 5) & 63] ^ i;
  return first_half(ctx->rx_queue_index) & 1 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";

// ERROR: 25:16: program 'two_halves' has 5877 instructions, more than the limit of 4096 for Linux 4.19
// NOTE: counted with the subprograms it calls: two_halves 2918, first_half 2959
// NOTE: split the work into programs chained with bpf_tail_call, or unroll fewer loop iterations, or raise --target-kernel to 5.2 or later, where the limit is 1000000
