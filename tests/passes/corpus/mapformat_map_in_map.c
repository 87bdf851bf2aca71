// A map of maps cannot be written as a legacy definition.
// FLAGS: --map-format=iproute2
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u32);
};

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
  __uint(max_entries, 2);
  __type(key, __u32);
  __array(values, struct inner);
} tables SEC(".maps");

SEC("xdp") int pick(struct xdp_md *ctx) {
  __u32 key = 0;
  void *table = bpf_map_lookup_elem(&tables, &key);
  if (!table)
    return XDP_PASS;
  __u32 *value = bpf_map_lookup_elem(table, &key);
  return value && *value ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";

// ERROR: 18:3: map 'tables' is a map of maps, which a legacy "maps" section (--map-format=iproute2) cannot describe
// NOTE: keep --map-format=btf for maps of maps
