// Every attribute of BTF-defined maps, map-in-map and prog-array maps with
// initial values.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct flow_key {
  __u32 src;
  __u32 dst;
  __u16 sport;
  __u16 dport;
};

struct flow_stats {
  __u64 packets;
  __u64 bytes;
};

struct lpm_key {
  __u32 prefixlen;
  __u8 addr[4];
};

struct inner_map {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 2);
  __type(key, __u32);
  __type(value, __u32);
} inner_a SEC(".maps"), inner_b SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
  __uint(max_entries, 4);
  __type(key, __u32);
  __array(values, struct inner_map);
} outer_array SEC(".maps") = {
    .values = {[0] = &inner_a, [2] = &inner_b},
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
  __uint(max_entries, 8);
  __type(key, __u32);
  __array(values, struct inner_map);
} outer_hash SEC(".maps") = {
    .values = {[5] = &inner_b},
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 128);
  __type(key, struct flow_key);
  __type(value, struct flow_stats);
  __uint(map_flags, BPF_F_NO_PREALLOC);
} flows SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(key_size, sizeof(__u32));
  __uint(value_size, 24);
  __uint(max_entries, 3);
} sized SEC(".maps");

// Both key_size and a key type: they must agree.
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 32);
  __uint(key_size, sizeof(__u64));
  __type(key, __u64);
  __type(value, __u32);
} both_sizes SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, 64);
  __type(key, __u64);
  __type(value, __u32);
  __uint(map_flags, BPF_F_NUMA_NODE);
  __uint(numa_node, 0);
  __uint(pinning, LIBBPF_PIN_BY_NAME);
} ldrtest_pinned SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
  __uint(max_entries, 100);
  __type(value, __u32);
  __uint(map_extra, 3);
} bloom SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_LPM_TRIE);
  __uint(max_entries, 16);
  __type(key, struct lpm_key);
  __type(value, __u32);
  __uint(map_flags, BPF_F_NO_PREALLOC);
} routes SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 4096);
} events SEC(".maps");

SEC("xdp")
int tail_one(struct xdp_md *ctx) { return XDP_PASS; }

SEC("xdp")
int tail_two(struct xdp_md *ctx) { return XDP_DROP; }

struct {
  __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
  __uint(max_entries, 4);
  __type(key, __u32);
  __array(values, int(void *));
} jump_table SEC(".maps") = {
    .values = {[1] = (void *)&tail_one, [3] = (void *)&tail_two},
};

SEC("xdp")
int dispatch(struct xdp_md *ctx) {
  __u32 key = 0;
  void *inner = bpf_map_lookup_elem(&outer_array, &key);
  if (inner) {
    __u32 *value = bpf_map_lookup_elem(inner, &key);
    if (value)
      key = *value & 3;
  }
  bpf_tail_call(ctx, &jump_table, key);
  return XDP_ABORTED;
}

// References every other map, so that after `bpftool prog loadall` each map
// is reachable from a program's map ids.
SEC("xdp")
int touch_all(struct xdp_md *ctx) {
  __u32 key = 0, value = 0;
  __u64 wide = 0;
  struct flow_key flow = {};
  struct lpm_key prefix = {.prefixlen = 32};
  int found = 0;
  found += bpf_map_lookup_elem(&inner_a, &key) != 0;
  found += bpf_map_lookup_elem(&inner_b, &key) != 0;
  found += bpf_map_lookup_elem(&outer_hash, &key) != 0;
  found += bpf_map_lookup_elem(&flows, &flow) != 0;
  found += bpf_map_lookup_elem(&sized, &key) != 0;
  found += bpf_map_lookup_elem(&both_sizes, &wide) != 0;
  found += bpf_map_lookup_elem(&ldrtest_pinned, &wide) != 0;
  found += bpf_map_peek_elem(&bloom, &value) == 0;
  found += bpf_map_lookup_elem(&routes, &prefix) != 0;
  found += bpf_ringbuf_query(&events, 0) != 0;
  return found ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
