// A BPFabric-style object: the program is a global function in .text, maps
// are legacy bpf_map_def entries, there is no program section.
#define SEC(name) __attribute__((section(name), used))

struct bpf_map_def {
  unsigned int type;
  unsigned int key_size;
  unsigned int value_size;
  unsigned int max_entries;
  unsigned int map_flags;
};

struct bpf_map_def SEC("maps") inports = {
    .type = 1, // BPF_MAP_TYPE_HASH
    .key_size = 6,
    .value_size = 4,
    .max_entries = 256,
};

static int (*bpf_map_lookup_elem)(void *map, void *key, void *value) = (void *)1;

static __attribute__((noinline)) unsigned long long flood(unsigned char first) {
  return 0xfffffffd ^ (first & 1);
}

unsigned long long prog(unsigned char *pkt) {
  unsigned int *port;
  if (bpf_map_lookup_elem(&inports, pkt, &port) == -1)
    return flood(pkt[0]);
  return *port;
}
