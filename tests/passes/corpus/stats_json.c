// --stats=json prints JSON to standard output; compiling and loading are
// unaffected (the exact output is checked by tests/passes/StatsTest.cpp).
// FLAGS: --stats=json
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 4);
  __type(key, __u32);
  __type(value, __u64);
} counters SEC(".maps");

static __attribute__((noinline)) int count(__u32 slot) {
  __u64 *value = bpf_map_lookup_elem(&counters, &slot);
  if (value)
    *value += 1;
  return value != 0;
}

SEC("xdp") int counted(struct xdp_md *ctx) { return count(ctx->rx_queue_index & 3) ? XDP_PASS : XDP_DROP; }

char _license[] SEC("license") = "GPL";
