// iproute2's struct bpf_elf_map: ids, pinning, map-in-map through
// inner_id/inner_idx, and tail calls through sections named "ID/KEY".
#define SEC(name) __attribute__((section(name), used))

struct bpf_elf_map {
  unsigned int type;
  unsigned int size_key;
  unsigned int size_value;
  unsigned int max_elem;
  unsigned int flags;
  unsigned int id;
  unsigned int pinning;
  unsigned int inner_id;
  unsigned int inner_idx;
};

#define PIN_GLOBAL_NS 2
#define JMP_MAP_ID 1
#define INNER_MAP_ID 42

struct bpf_elf_map SEC("maps") jmp_tc = {
    .type = 3, // BPF_MAP_TYPE_PROG_ARRAY
    .size_key = 4,
    .size_value = 4,
    .max_elem = 4,
    .id = JMP_MAP_ID,
    .pinning = PIN_GLOBAL_NS,
    .inner_idx = -1,
};

struct bpf_elf_map SEC("maps") map_inner = {
    .type = 2, // BPF_MAP_TYPE_ARRAY
    .size_key = 4,
    .size_value = 4,
    .max_elem = 1,
    .id = INNER_MAP_ID,
    .inner_idx = 3,
};

struct bpf_elf_map SEC("maps") map_outer = {
    .type = 12, // BPF_MAP_TYPE_ARRAY_OF_MAPS
    .size_key = 4,
    .size_value = 4,
    .max_elem = 4,
    .inner_id = INNER_MAP_ID,
};

static long (*bpf_tail_call)(void *ctx, void *map, unsigned int index) = (void *)12;

SEC("1/0")
int tail_zero(void *skb) { return 0; }

SEC("1/2")
int tail_two(void *skb) { return 2; }

SEC("classifier")
int cls_main(void *skb) {
  bpf_tail_call(skb, &jmp_tc, 0);
  return -1;
}

char _license[] SEC("license") = "GPL";
