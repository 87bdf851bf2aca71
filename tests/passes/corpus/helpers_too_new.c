// bpf_ktime_get_boot_ns came in Linux 5.8.
// FLAGS: --target-kernel=5.4
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp") int stamp(struct xdp_md *ctx) {
  return bpf_ktime_get_boot_ns() & 1 ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";

// ERROR: 7:10: helper 'bpf_ktime_get_boot_ns' needs Linux 5.8, but the target kernel is 5.4
// NOTE: pass --target-kernel=5.8 or later, or do without bpf_ktime_get_boot_ns
