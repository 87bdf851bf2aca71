// A socket filter's view of __sk_buff (from the network header), the
// legacy packet loads, and cb writes; returns how many bytes to keep.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __s64);
} results SEC(".maps");

static __always_inline void put(__u32 slot, __s64 value)
{
	bpf_map_update_elem(&results, &slot, &value, BPF_ANY);
}

SEC("socket")
int filter(struct __sk_buff *skb)
{
	__u8 first[4] = {};

	put(0, skb->len);
	put(1, skb->pkt_type);
	put(2, skb->protocol);
	put(3, skb->ifindex);
	put(4, skb->ingress_ifindex);
	put(5, skb->mark);
	put(6, load_byte(skb, 0));
	put(7, load_half(skb, 2));
	put(8, load_word(skb, 12));
	put(9, bpf_skb_load_bytes(skb, 0, first, 4));
	put(10, *(__u32 *)first);
	skb->cb[2] = 99;
	put(11, skb->cb[2]);
	put(12, load_word(skb, 4000)); // out of range: the program ends, returning 0
	return 64;
}

char LICENSE[] SEC("license") = "GPL";
