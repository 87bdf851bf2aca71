// The same work in fewer iterations fits Linux 4.19 and loads.
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
  for (int i = 0; i < 600; i++)
    words[i & 63] ^= words[(i * 7) & 63] + i;
  return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
