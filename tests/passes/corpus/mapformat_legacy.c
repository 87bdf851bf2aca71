// --map-format=legacy: libbpf's struct bpf_map_def in a "maps" section, and
// the bpf_printk format built on the stack (no .rodata).
// FLAGS: --map-format=legacy
// NO-LOAD: libbpf 1.x (bpftool) refuses legacy "maps" sections
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 4);
  __type(key, __u32);
  __type(value, __u64);
} counts SEC(".maps");

SEC("xdp") int count(struct xdp_md *ctx) {
  __u32 key = ctx->ingress_ifindex & 3;
  __u64 *value = bpf_map_lookup_elem(&counts, &key);
  if (value)
    *value += 1;
  bpf_printk("packet on %u", key);
  return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
