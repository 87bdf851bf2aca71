// A 2048-byte memset the BPF backend cannot expand inline (clang stops with
// "A call to built-in function 'memset' is not supported"): a bounded loop.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct record { unsigned char bytes[2048]; };
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct record);
} records SEC(".maps");

SEC("xdp") int reset(struct xdp_md *ctx) {
  __u32 key = 0;
  struct record *r = bpf_map_lookup_elem(&records, &key);
  if (!r)
    return XDP_PASS;
  __builtin_memset(r->bytes, 0, sizeof(r->bytes));
  return XDP_PASS;
}
char _license[] SEC("license") = "GPL";
