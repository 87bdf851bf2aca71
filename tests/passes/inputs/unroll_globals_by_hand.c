// unroll_globals_plain.c written the way one wrote it by hand for a 4.19
// kernel: loops unrolled by hand, global variables in maps looked up in the
// program, the initialized one inserted on first use with BPF_NOEXIST.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} packet_count SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u32);
} salt_value SEC(".maps");

#define FNV(i) h = (h ^ p[i]) * 16777619u;
#define FNV4(i) FNV(i) FNV(i + 1) FNV(i + 2) FNV(i + 3)
#define FNV16(i) FNV4(i) FNV4(i + 4) FNV4(i + 8) FNV4(i + 12)
#define SHIFT(i) h ^= h >> (((p[i] + i) & 3) == 3 ? 11 : 3 + 2 * ((p[i] + i) & 3));
#define FLIP(i) if (n <= i) goto done; p[16 + i] ^= (unsigned char)(h >> i);

SEC("xdp") int fingerprint(struct xdp_md *ctx) {
  unsigned char *p = (void *)(long)ctx->data;
  void *end = (void *)(long)ctx->data_end;
  __u32 key = 0;
  __u64 *packets = bpf_map_lookup_elem(&packet_count, &key);
  if (!packets)
    return XDP_ABORTED;
  __u32 *salt = bpf_map_lookup_elem(&salt_value, &key);
  if (!salt) {
    __u32 initial = 0x9e3779b9;
    bpf_map_update_elem(&salt_value, &key, &initial, BPF_NOEXIST);
    salt = bpf_map_lookup_elem(&salt_value, &key);
    if (!salt)
      return XDP_ABORTED;
  }
  *packets += 1;
  if ((void *)(p + 32) > end)
    return XDP_PASS;
  __u32 h = *salt;
  FNV16(0) FNV16(16)
  SHIFT(0) SHIFT(1) SHIFT(2) SHIFT(3)
  unsigned n = p[0] & 15;
  FLIP(0) FLIP(1) FLIP(2) FLIP(3) FLIP(4) FLIP(5) FLIP(6) FLIP(7)
done:
  *salt = h;
  return h & 1 ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
