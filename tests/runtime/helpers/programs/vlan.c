// bpf_skb_vlan_push and bpf_skb_vlan_pop in the order `params` gives (1:
// push, 2: pop, 0: stop), recording after each step the return value and
// what __sk_buff shows: vlan_present, vlan_tci, vlan_proto, protocol, len.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct params {
	__u8 steps[4];
	__u16 proto[4]; // as passed (network byte order, e.g. 0x0081 for 802.1Q)
	__u16 tci[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct params);
} params SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __s64);
} results SEC(".maps");

static __always_inline void put(__u32 slot, __s64 value)
{
	bpf_map_update_elem(&results, &slot, &value, BPF_ANY);
}

SEC("tc")
int vlan(struct __sk_buff *skb)
{
	__u32 zero = 0;
	struct params *p = bpf_map_lookup_elem(&params, &zero);

	if (!p)
		return TC_ACT_SHOT;
#pragma unroll
	for (int i = 0; i < 4; i++) {
		long ret;

		if (p->steps[i] == 1)
			ret = bpf_skb_vlan_push(skb, p->proto[i], p->tci[i]);
		else if (p->steps[i] == 2)
			ret = bpf_skb_vlan_pop(skb);
		else
			break;
		put(i * 6 + 0, ret);
		put(i * 6 + 1, skb->vlan_present);
		put(i * 6 + 2, skb->vlan_tci);
		put(i * 6 + 3, skb->vlan_proto);
		put(i * 6 + 4, skb->protocol);
		put(i * 6 + 5, skb->len);
	}
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
