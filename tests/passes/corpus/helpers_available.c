// Helpers an XDP program may call on the target kernel: compiles and loads.
// FLAGS: --target-kernel=5.10
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 64);
  __type(key, __u32);
  __type(value, __u64);
} last_seen SEC(".maps");

SEC("xdp") int remember(struct xdp_md *ctx) {
  __u32 key = bpf_get_smp_processor_id();
  __u64 now = bpf_ktime_get_ns();
  bpf_map_update_elem(&last_seen, &key, &now, BPF_ANY);
  return bpf_get_prandom_u32() & 1 ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
