// A CO-RE field access (preserve_access_index): the relocation is recorded in
// .BTF.ext; the runtime keeps the compiled offset and warns.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct xdp_md___local {
  __u32 data;
  __u32 data_end;
  __u32 data_meta;
  __u32 ingress_ifindex;
} __attribute__((preserve_access_index));

SEC("xdp")
int core_read(struct xdp_md *ctx) {
  return ((struct xdp_md___local *)ctx)->ingress_ifindex & 1;
}

char LICENSE[] SEC("license") = "GPL";
