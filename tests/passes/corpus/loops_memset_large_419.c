// The same 2048-byte memset for a kernel without bounded loops: too large
// to unroll.
// FLAGS: --target-kernel=4.19
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

// ERROR: 20:3: 'memset' cannot be unrolled: 2048 iterations of about 5 instructions exceed the 4096-instruction limit of kernel 4.19

// NOTE: the BPF backend cannot call memset, so ebpfc turns it into a loop, and programs for kernels before 5.3 cannot contain loops

// NOTE: split it into calls of at most 1024 bytes, which the backend expands inline (128 stores of 8 bytes), or pass --target-kernel=5.3 or later
