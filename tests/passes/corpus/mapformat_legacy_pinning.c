// libbpf's bpf_map_def has no pinning field.
// FLAGS: --map-format=legacy
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
  __uint(pinning, LIBBPF_PIN_BY_NAME);
} shared SEC(".maps");

SEC("xdp") int touch(struct xdp_md *ctx) {
  __u32 key = 0;
  __u64 *value = bpf_map_lookup_elem(&shared, &key);
  if (value)
    *value += 1;
  return XDP_PASS;
}

char _license[] SEC("license") = "GPL";

// ERROR: 12:3: map 'shared' is pinned, but libbpf's struct bpf_map_def has no pinning field
// NOTE: use --map-format=iproute2, whose struct bpf_elf_map pins by name, or pin the map from user space
