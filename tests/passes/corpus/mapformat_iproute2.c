// --map-format=iproute2: iproute2's struct bpf_elf_map; pinning by name
// becomes PIN_GLOBAL_NS.
// FLAGS: --map-format=iproute2
// NO-LOAD: libbpf 1.x (bpftool, and Debian 12's ip and tc) refuses "maps" sections
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1024);
  __type(key, __u32);
  __type(value, __u64);
  __uint(pinning, LIBBPF_PIN_BY_NAME);
} bytes_by_mark SEC(".maps");

SEC("tc") int account(struct __sk_buff *skb) {
  __u32 mark = skb->mark;
  __u64 *bytes = bpf_map_lookup_elem(&bytes_by_mark, &mark);
  if (bytes)
    __sync_fetch_and_add(bytes, skb->len);
  else {
    __u64 first = skb->len;
    bpf_map_update_elem(&bytes_by_mark, &mark, &first, BPF_NOEXIST);
  }
  return 0;
}

char _license[] SEC("license") = "GPL";
