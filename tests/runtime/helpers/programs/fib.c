// bpf_fib_lookup on the packet's IPv4 destination with the flags in
// `params`; the result code and the lookup's outputs go to `results`.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>

#define AF_INET 2

struct params {
	__u32 flags;
	__u16 tot_len;
	__u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct params);
} params SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __s64);
} results SEC(".maps");

static __always_inline void put(__u32 slot, __s64 value)
{
	bpf_map_update_elem(&results, &slot, &value, BPF_ANY);
}

SEC("xdp")
int fib(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	struct bpf_fib_lookup lookup = {};
	__u32 zero = 0;
	struct params *p = bpf_map_lookup_elem(&params, &zero);
	__u64 mac = 0;

	if (!p || (void *)(ip + 1) > data_end)
		return XDP_ABORTED;
	lookup.family = AF_INET;
	lookup.ifindex = ctx->ingress_ifindex;
	lookup.tot_len = p->tot_len;
	lookup.ipv4_src = ip->saddr;
	lookup.ipv4_dst = ip->daddr;
	put(0, bpf_fib_lookup(ctx, &lookup, sizeof(lookup), p->flags));
	put(1, lookup.ifindex);
	__builtin_memcpy(&mac, lookup.dmac, 6);
	put(2, mac);
	__builtin_memcpy(&mac, lookup.smac, 6);
	put(3, mac);
	put(4, lookup.ipv4_dst);
	put(5, lookup.mtu_result);
	put(6, lookup.ipv4_src);
	put(7, bpf_fib_lookup(ctx, &lookup, sizeof(lookup) - 1, 0));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
