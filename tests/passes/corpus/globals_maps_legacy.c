// --globals=maps with a legacy "maps" section: the globals' maps are legacy
// definitions too.
// FLAGS: --globals=maps --map-format=legacy
// NO-LOAD: libbpf 1.x (bpftool) refuses legacy "maps" sections
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 packets;
__u32 limit = 1000;

SEC("xdp") int count(struct xdp_md *ctx) {
  return ++packets > limit ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
