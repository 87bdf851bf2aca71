/* flow_count: per-flow statistics in a hash map, updated on every packet:
 * the 5-tuple is looked up; a new flow is inserted (BPF_NOEXIST), a known
 * one is read, advanced (packets, bytes, last seen) and written back with
 * bpf_map_update_elem (BPF_EXIST). Every packet passes. */
#include "packet.h"

struct flow_key {
	__u32 saddr;
	__u32 daddr;
	__u16 sport;
	__u16 dport;
	__u8 protocol;
	__u8 pad[3];
};

struct flow_stats {
	__u64 packets;
	__u64 bytes;
	__u64 first_seen;
	__u64 last_seen;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct flow_key);
	__type(value, struct flow_stats);
} flows SEC(".maps");

SEC("xdp")
int flow_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *ip = ipv4_header(data, data_end);

	if (!ip || ip->ihl != 5)
		return XDP_PASS;
	struct flow_key key = {
		.saddr = ip->saddr,
		.daddr = ip->daddr,
		.protocol = ip->protocol,
	};
	if (ip->protocol == IPPROTO_TCP || ip->protocol == IPPROTO_UDP) {
		struct udphdr *ports = (struct udphdr *)(ip + 1); /* both start with the ports */
		if ((void *)(ports + 1) > data_end)
			return XDP_PASS;
		key.sport = ports->source;
		key.dport = ports->dest;
	}
	const __u64 bytes = data_end - data;
	const __u64 now = bpf_ktime_get_ns();
	struct flow_stats *known = bpf_map_lookup_elem(&flows, &key);
	if (!known) {
		struct flow_stats first = { 1, bytes, now, now };
		bpf_map_update_elem(&flows, &key, &first, BPF_NOEXIST);
		return XDP_PASS;
	}
	struct flow_stats next = *known;
	next.packets += 1;
	next.bytes += bytes;
	next.last_seen = now;
	bpf_map_update_elem(&flows, &key, &next, BPF_EXIST);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
