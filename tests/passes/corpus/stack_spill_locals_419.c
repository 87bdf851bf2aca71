// With --spill-locals the 600-byte buffer moves into ebpfc's per-CPU
// scratch map and the program loads, also for a Linux 4.19 target.
// FLAGS: --target-kernel=4.19 --spill-locals
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} sums SEC(".maps");

SEC("xdp") int sum_packet(struct xdp_md *ctx) {
  __u8 *data = (__u8 *)(long)ctx->data;
  __u8 buffer[600];
  if (data + 64 > (__u8 *)(long)ctx->data_end)
    return XDP_PASS;
  __builtin_memset(buffer, 0, sizeof(buffer));
  __builtin_memcpy(buffer + 300, data, 64);
  buffer[data[0] % 600] += 1;
  __u64 sum = buffer[300] + buffer[363] + buffer[data[1] % 600];
  __u32 key = 0;
  bpf_map_update_elem(&sums, &key, &sum, BPF_ANY);
  return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
