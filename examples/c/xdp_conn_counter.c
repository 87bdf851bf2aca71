// xdp_conn_counter: per-connection packet and byte counters for IPv4 TCP and UDP,
// keyed by the 5-tuple in a hash map. The first packet of a connection
// creates its entry with BPF_NOEXIST, so that when two CPUs see a new
// connection at the same time the second one does not overwrite the first
// one's count but adds to it. Every packet passes.
//
// Attach: ip link set dev eth0 xdpgeneric obj xdp_conn_counter.o sec xdp
// Read:   bpftool map dump name flows
#include <linux/bpf.h>
#include <linux/errno.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct flow_key {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u8 protocol;
	__u8 pad[3]; // explicit, so that a zeroed key hashes the same everywhere
};

struct flow_counters {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct flow_key);
	__type(value, struct flow_counters);
} flows SEC(".maps");

static __always_inline void add_to(struct flow_counters *counters, __u64 bytes)
{
	__sync_fetch_and_add(&counters->packets, 1);
	__sync_fetch_and_add(&counters->bytes, bytes);
}

static __always_inline void count_packet(struct flow_key *key, __u64 bytes)
{
	struct flow_counters *counters = bpf_map_lookup_elem(&flows, key);
	struct flow_counters first = { .packets = 1, .bytes = bytes };

	if (counters) {
		add_to(counters, bytes);
		return;
	}
	// Lost the race against another CPU creating the same entry: count into
	// the entry it created. (A full table, -E2BIG, leaves the flow uncounted.)
	if (bpf_map_update_elem(&flows, key, &first, BPF_NOEXIST) == -EEXIST) {
		counters = bpf_map_lookup_elem(&flows, key);
		if (counters)
			add_to(counters, bytes);
	}
}

SEC("xdp")
int conn_counter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct flow_key key = {};
	void *l4;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl < 5)
		return XDP_PASS;
	l4 = (void *)ip + ip->ihl * 4;

	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;

		if ((void *)(tcp + 1) > data_end)
			return XDP_PASS;
		key.sport = tcp->source;
		key.dport = tcp->dest;
	} else if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *udp = l4;

		if ((void *)(udp + 1) > data_end)
			return XDP_PASS;
		key.sport = udp->source;
		key.dport = udp->dest;
	} else {
		return XDP_PASS;
	}
	key.saddr = ip->saddr;
	key.daddr = ip->daddr;
	key.protocol = ip->protocol;

	count_packet(&key, data_end - data);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
