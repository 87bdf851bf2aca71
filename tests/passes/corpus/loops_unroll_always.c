// --unroll=always unrolls a bounded loop on a kernel that could keep it.
// FLAGS: --unroll=always
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tc") int vlan_depth(struct __sk_buff *skb) {
  void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
  unsigned char *cur = data + 12;
  int depth = 0;
  for (int i = 0; i < 4; i++) {
    if ((void *)(cur + 4) > end)
      break;
    if (cur[0] != 0x81 || cur[1] != 0x00)
      break;
    cur += 4;
    depth++;
  }
  return depth;
}

char _license[] SEC("license") = "GPL";
