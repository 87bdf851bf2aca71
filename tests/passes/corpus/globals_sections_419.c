// Kernel 4.19 has no global data: globals need --globals=maps.
// FLAGS: --target-kernel=4.19
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 packets;

SEC("xdp") int count(struct xdp_md *ctx) {
  packets++;
  return XDP_PASS;
}

char _license[] SEC("license") = "GPL";

// ERROR: 6:7: global variable 'packets' needs global data (.bss), which kernel 4.19 cannot load (global data came in 5.2)
// NOTE: pass --globals=maps to keep global variables in maps, or --target-kernel=5.2 or later
