// Frames that fit one by one but not along the call chain: the verifier
// adds them up (each rounded to 32 bytes) and rejects the program.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __attribute__((noinline)) int checksum(__u32 seed) {
  volatile __u8 block[192];
  block[seed & 127] = seed;
  return block[3];
}

static __attribute__((noinline)) int parse(__u32 seed) {
  volatile __u8 headers[160];
  headers[seed & 127] = seed;
  return checksum(seed + headers[5]);
}

SEC("tc") int classify(struct __sk_buff *skb) {
  volatile __u8 scratch[200];
  scratch[skb->len & 127] = 1;
  return parse(skb->mark + scratch[9]) & 1;
}

char _license[] SEC("license") = "GPL";

// ERROR: 18:15: program 'classify' needs 576 bytes of stack along the call chain classify -> parse -> checksum, more than the limit of 512 bytes
// NOTE: frames in bytes, each rounded up to 32 as the verifier counts them: classify 224, parse 160, checksum 192
// NOTE: 'scratch' is 200 bytes, in the frame of 'classify'
// NOTE: 'block' is 192 bytes, in the frame of 'checksum'
// NOTE: 'headers' is 160 bytes, in the frame of 'parse'
// NOTE: make large locals smaller, move them into a BPF_MAP_TYPE_PERCPU_ARRAY map, or compile with --spill-locals to have ebpfc move locals of 64 bytes or more into one
