// xdp_ipv4_sanity: drops malformed IPv4 packets before the stack sees them and
// counts why, one counter per reason in `drop_reasons`:
//   0 truncated: the frame ends inside the IPv4 header
//   1 bad version: the version field is not 4
//   2 bad length: header length below 20 bytes, or a total length shorter
//     than the header or longer than the frame
//   3 bad checksum: the header checksum does not verify
// Well-formed IPv4 and all non-IPv4 traffic pass.
//
// The checks live in non-inlined functions (static __noinline), so the
// object contains BPF-to-BPF calls: the verifier checks each function once
// per calling context and the code exists once however many callers it has.
//
// Attach: ip link set dev eth0 xdp obj xdp_ipv4_sanity.o sec xdp
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

enum drop_reason {
	DROP_TRUNCATED,
	DROP_BAD_VERSION,
	DROP_BAD_LENGTH,
	DROP_BAD_CHECKSUM,
	DROP_REASON_COUNT,
	// Not a drop: the packet is fine (or not IPv4).
	PACKET_OK = DROP_REASON_COUNT,
};

#define MAX_IPV4_HEADER_WORDS 30 // 60 bytes: IHL 15

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, DROP_REASON_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} drop_reasons SEC(".maps");

// Whether the header checksum verifies: the one's-complement sum of all
// header words, checksum included, is 0xffff. The caller has checked that
// the whole header (IHL words) lies inside the packet.
static __noinline int ipv4_checksum_ok(struct iphdr *ip, void *data_end)
{
	__u16 *word = (__u16 *)ip;
	__u32 words = ip->ihl * 2;
	__u32 sum = 0;

	for (__u32 i = 0; i < MAX_IPV4_HEADER_WORDS; i++) {
		if (i >= words)
			break;
		if ((void *)(word + i + 1) > data_end)
			return 0;
		sum += word[i];
	}
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

static __noinline int check_ipv4(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	__u32 header_len, total_len;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return PACKET_OK;
	if ((void *)(ip + 1) > data_end)
		return DROP_TRUNCATED;
	if (ip->version != 4)
		return DROP_BAD_VERSION;
	header_len = ip->ihl * 4;
	if (header_len < sizeof(*ip))
		return DROP_BAD_LENGTH;
	if ((void *)ip + header_len > data_end)
		return DROP_TRUNCATED;
	total_len = bpf_ntohs(ip->tot_len);
	if (total_len < header_len || (void *)ip + total_len > data_end)
		return DROP_BAD_LENGTH;
	if (!ipv4_checksum_ok(ip, data_end))
		return DROP_BAD_CHECKSUM;
	return PACKET_OK;
}

static __noinline int drop_for(__u32 reason)
{
	__u64 *count = bpf_map_lookup_elem(&drop_reasons, &reason);

	if (count)
		__sync_fetch_and_add(count, 1);
	return XDP_DROP;
}

SEC("xdp")
int ipv4_sanity(struct xdp_md *ctx)
{
	int verdict = check_ipv4(ctx);

	if (verdict == PACKET_OK)
		return XDP_PASS;
	return drop_for(verdict);
}

char LICENSE[] SEC("license") = "GPL";
