// A cgroup skb program's view of __sk_buff, including the test run's socket
// (family and addresses from the IP header).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

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

SEC("cgroup_skb/ingress")
int cgroup(struct __sk_buff *skb)
{
	put(0, skb->len);
	put(1, skb->family);
	put(2, skb->remote_ip4);
	put(3, skb->local_ip4);
	put(4, skb->remote_ip6[3]);
	put(5, skb->local_ip6[0]);
	put(6, skb->remote_port);
	put(7, skb->local_port);
	put(8, skb->protocol);
	put(9, skb->data_end - skb->data);
	skb->mark = 5;
	skb->priority = 6;
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
