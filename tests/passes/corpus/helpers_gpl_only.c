// bpf_trace_printk is GPL-only.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp") int trace(struct xdp_md *ctx) {
  bpf_printk("packet");
  return XDP_PASS;
}

char _license[] SEC("license") = "Proprietary";

// ERROR: 6:3: helper 'bpf_trace_printk' is GPL-only, but the license "Proprietary" is not GPL-compatible
// NOTE: declare a GPL-compatible license: char LICENSE[] SEC("license") = "GPL";
