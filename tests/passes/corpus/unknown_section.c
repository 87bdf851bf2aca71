// A section name libbpf 1.x cannot map to a program type.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp_drop") int drop_all(struct xdp_md *ctx) { return XDP_DROP; }
// ERROR: 5:21: program 'drop_all' is in section 'xdp_drop', which is not a known program section
// NOTE: did you mean 'xdp'?
// NOTE: libbpf derives the program type from the section name; use SEC("xdp"), or pass --section-type=xdp_drop=TYPE for loaders that are told the type (ip, tc)

char _license[] SEC("license") = "GPL";
