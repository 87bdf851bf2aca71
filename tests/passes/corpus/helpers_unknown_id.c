// A helper declared with an id no kernel defines.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static long (*bpf_made_up)(void) = (void *)250;

SEC("xdp") int call_it(struct xdp_md *ctx) {
  return bpf_made_up() ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";

// ERROR: 8:10: call to unknown helper function #250
// NOTE: helper ids are BPF_FUNC_* values; Linux 6.1 defines 1 to 209: check the helper's declaration
