// libbpf's legacy map definitions (struct bpf_map_def in section "maps"),
// global data, a .text subprogram and a "version" section. Builds with
// clang and with bpf-gcc, without kernel headers.
#define SEC(name) __attribute__((section(name), used))

struct bpf_map_def {
  unsigned int type;
  unsigned int key_size;
  unsigned int value_size;
  unsigned int max_entries;
  unsigned int map_flags;
};

struct bpf_map_def SEC("maps") packets = {
    .type = 2, // BPF_MAP_TYPE_ARRAY
    .key_size = 4,
    .value_size = 8,
    .max_entries = 16,
};

struct bpf_map_def SEC("maps") flows = {
    .type = 1, // BPF_MAP_TYPE_HASH
    .key_size = 8,
    .value_size = 16,
    .max_entries = 1024,
    .map_flags = 1, // BPF_F_NO_PREALLOC
};

#ifdef __clang__
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
#else
// gcc 12 rejects calls through constant function pointers when the pointer
// is reused; its kernel_helper attribute emits the helper call directly.
void *bpf_map_lookup_elem(void *map, const void *key) __attribute__((kernel_helper(1)));
#endif

int total = 1;
int marker = 0x55667788; // at offset 4 of .data: gcc writes that offset into ld_imm64
int seen;
const int step = 2;

static __attribute__((noinline)) int bump(int x) { return x + step + total; }

SEC("xdp")
int count_packets(void *ctx) {
  int key = 0;
  long *value = bpf_map_lookup_elem(&packets, &key);
  if (value)
    *value += marker;
  seen++;
  return bump(seen) & 3;
}

SEC("socket")
int match_flows(void *ctx) {
  long key = 7;
  return bpf_map_lookup_elem(&flows, &key) ? bump(1) : 0;
}

char _license[] SEC("license") = "GPL";
unsigned int _version SEC("version") = 0x050a00;
