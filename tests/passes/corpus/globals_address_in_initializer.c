// A global holding another global's address cannot move into a map.
// FLAGS: --globals=maps
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u32 counters[4];
__u32 *volatile current = &counters[1];

SEC("xdp") int count(struct xdp_md *ctx) {
  (*current)++;
  return XDP_PASS;
}

char _license[] SEC("license") = "GPL";

// ERROR: 6:7: global variable 'counters' cannot move into a map: the initializer of 'current' holds its address
// NOTE: with --globals=maps addresses of globals exist only at run time; store an index instead of a pointer, or keep --globals=sections
