// A 600-byte local buffer: over the 512-byte stack on its own. With
// --spill-locals it moves to ebpfc's per-CPU scratch map. The subprogram's
// 96-byte window (indexed by data, so it stays one object) moves too, to a
// different offset, since it is in use while the caller's buffer is.
// spill_buffer_by_hand.c is the same program with the scratch map written
// by hand.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 4);
  __type(key, __u32);
  __type(value, __u64);
} results SEC(".maps");

static __attribute__((noinline)) __u64 digest(__u8 *buf, __u32 len) {
  __u8 window[96];
  __u64 h = 1469598103934665603ULL;
  for (int i = 0; i < 96; i++)
    window[i] = buf[(i * 7) % 600] ^ (__u8)len;
  for (int i = 0; i < 24; i++)
    h = (h ^ window[(h >> 7) & 63]) * 1099511628211ULL;
  return h;
}

SEC("xdp")
int spill_buffer(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *end = (void *)(long)ctx->data_end;
  __u8 buf[600];
  if (data + 64 > end)
    return XDP_PASS;
  __builtin_memset(buf, 0, sizeof(buf));
  __builtin_memcpy(buf, data, 64);
  __u32 index = ((__u8 *)data)[12] % 600;
  buf[index] = 0xab;
  buf[599] = ((__u8 *)data)[0];
  __u64 h = digest(buf, end - data);
  __u32 key = 0;
  bpf_map_update_elem(&results, &key, &h, BPF_ANY);
  key = 1;
  __u64 picked = buf[index] + buf[599] + buf[((__u8 *)data)[13] % 600];
  bpf_map_update_elem(&results, &key, &picked, BPF_ANY);
  ((__u8 *)data)[0] = (__u8)h;
  return (h & 1) ? XDP_TX : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
