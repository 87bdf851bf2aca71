// Calls the restricted-C rules must accept: a kernel function declared
// `extern ... __ksym` (a kfunc, resolved by libbpf against kernel BTF),
// helpers, ring buffer events, bpf_printk, abs(), and an integer computed
// from floating-point constants that clang folds. Compiles and loads (the
// kfunc needs Linux 6.3 or later).
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

extern int bpf_dynptr_from_skb(struct __sk_buff *skb, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
int abs(int);

#define SCALE ((int)(1.5 * 1000))

struct event {
  __u32 len;
  __u32 mark;
  __u8 head[16];
};

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 4096);
} events SEC(".maps");

SEC("tc")
int tc_sample(struct __sk_buff *skb) {
  struct bpf_dynptr packet;
  if (bpf_dynptr_from_skb(skb, 0, &packet))
    return TC_ACT_OK;
  struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e)
    return TC_ACT_OK;
  __builtin_memset(e, 0, sizeof(*e));
  e->len = skb->len;
  e->mark = abs((int)skb->mark - 100) * SCALE / 1000;
  bpf_dynptr_read(e->head, sizeof(e->head), &packet, 0, 0);
  bpf_ringbuf_submit(e, 0);
  if (skb->len > 9000)
    bpf_printk("jumbo frame: %u bytes", skb->len);
  return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
