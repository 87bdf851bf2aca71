// Reads every __sk_buff field a tc program may read into `results` (whole,
// and some narrowly), then writes the fields it may write.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 40);
	__type(key, __u32);
	__type(value, __s64);
} results SEC(".maps");

static __always_inline void put(__u32 slot, __s64 value)
{
	bpf_map_update_elem(&results, &slot, &value, BPF_ANY);
}

SEC("tc")
int context(struct __sk_buff *skb)
{
	put(0, skb->len);
	put(1, skb->pkt_type);
	put(2, skb->mark);
	put(3, skb->queue_mapping);
	put(4, skb->protocol);
	put(5, skb->vlan_present);
	put(6, skb->vlan_tci);
	put(7, skb->vlan_proto);
	put(8, skb->priority);
	put(9, skb->ingress_ifindex);
	put(10, skb->ifindex);
	put(11, skb->tc_index);
	put(12, skb->cb[0]);
	put(13, skb->cb[4]);
	put(14, skb->hash);
	put(15, skb->tc_classid);
	put(16, skb->data_end - skb->data);
	put(17, skb->napi_id);
	put(18, skb->data_meta - skb->data);
	put(19, skb->tstamp);
	put(20, skb->wire_len);
	put(21, skb->gso_segs);
	put(22, skb->gso_size);
	put(23, skb->hwtstamp);
	put(24, *(volatile __u8 *)((void *)skb + __builtin_offsetof(struct __sk_buff, protocol)));
	put(25, *(volatile __u16 *)((void *)skb + __builtin_offsetof(struct __sk_buff, len) + 2));
	put(26, *(volatile __u8 *)((void *)skb + __builtin_offsetof(struct __sk_buff, cb) + 5));

	// Barriers keep clang from merging neighbouring stores into one 8-byte
	// store, which the verifier refuses for context fields.
	skb->mark = 0x1234;
	asm volatile("" ::: "memory");
	skb->priority = 7;
	asm volatile("" ::: "memory");
	skb->tc_index = 0x12345;
	asm volatile("" ::: "memory");
	skb->tc_classid = 0x10002;
	asm volatile("" ::: "memory");
	skb->queue_mapping = 3;
	asm volatile("" ::: "memory");
	skb->cb[1] = 0xabcdef;
	*(volatile __u16 *)((void *)skb + __builtin_offsetof(struct __sk_buff, cb) + 8) = 0x7777;
	skb->tstamp = 123456789;
	put(27, skb->mark);
	put(28, skb->tc_index);
	put(29, skb->tc_classid);
	put(30, skb->queue_mapping);
	skb->queue_mapping = 0xffff; // ignored: NO_QUEUE_MAPPING
	put(31, *(volatile __u32 *)&skb->queue_mapping);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
