// struct bpf_map_def as kernel samples/bpf extended it (inner_map_idx,
// numa_node) plus a trailing field the loader does not know, left zero: the
// entry size comes from the section size and the number of maps.
#define SEC(name) __attribute__((section(name), used))

struct bpf_map_def {
  unsigned int type;
  unsigned int key_size;
  unsigned int value_size;
  unsigned int max_entries;
  unsigned int map_flags;
  unsigned int inner_map_idx;
  unsigned int numa_node;
  unsigned int reserved;
};

struct bpf_map_def SEC("maps") inner_template = {
    .type = 2, // BPF_MAP_TYPE_ARRAY
    .key_size = 4,
    .value_size = 4,
    .max_entries = 8,
};

struct bpf_map_def SEC("maps") outer = {
    .type = 13, // BPF_MAP_TYPE_HASH_OF_MAPS
    .key_size = 4,
    .value_size = 4,
    .max_entries = 16,
    .map_flags = 4, // BPF_F_NUMA_NODE
    .inner_map_idx = 0,
    .numa_node = 1,
};

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;

SEC("socket")
int lookup(void *ctx) {
  int key = 0;
  return bpf_map_lookup_elem(&outer, &key) != 0;
}

char _license[] SEC("license") = "GPL";
