// bpf_csum_diff, bpf_l3_csum_replace and bpf_l4_csum_replace on an IPv4
// packet: rewrites the destination address (with the pseudo-header flag for
// TCP/UDP, BPF_F_MARK_MANGLED_0 for UDP), decrements the TTL through a
// 16-bit replace, and records every helper's return value in `results`.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/in.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 24);
	__type(key, __u32);
	__type(value, __s64);
} results SEC(".maps");

static __always_inline void put(__u32 slot, __s64 value)
{
	bpf_map_update_elem(&results, &slot, &value, BPF_ANY);
}

#define IP_OFF 14
#define IP_CHECK_OFF (IP_OFF + 10)
#define IP_TTL_OFF (IP_OFF + 8)
#define IP_DADDR_OFF (IP_OFF + 16)
#define L4_OFF (IP_OFF + 20)

SEC("tc")
int checksum(struct __sk_buff *skb)
{
	__be32 a[4] = {0x01020304, 0xa0b0c0d0, 0xffffffff, 0};
	__be32 b[4] = {0x11223344, 0, 0x0000ffff, 0x80000000};
	__u8 protocol = 0;
	__be32 old_daddr = 0, new_daddr = bpf_htonl(0xc0a80101);
	__be16 old_word = 0, new_word;
	__u64 l4_flags;
	__s64 diff;

	put(0, bpf_csum_diff(a, 4, b, 4, 0));
	put(1, bpf_csum_diff(a, 16, b, 16, 0x1234));
	put(2, bpf_csum_diff(0, 0, b, 12, 0xffff));
	put(3, bpf_csum_diff(a, 8, 0, 0, 0xabcd));
	put(4, bpf_csum_diff(0, 0, 0, 0, 77));
	put(5, bpf_csum_diff(a, 3, b, 4, 0));

	if (bpf_skb_load_bytes(skb, IP_OFF + 9, &protocol, 1) ||
	    bpf_skb_load_bytes(skb, IP_DADDR_OFF, &old_daddr, 4) ||
	    bpf_skb_load_bytes(skb, IP_TTL_OFF, &old_word, 2))
		return TC_ACT_OK;

	// The transport checksum covers the pseudo-header's destination.
	l4_flags = BPF_F_PSEUDO_HDR | sizeof(old_daddr);
	if (protocol == IPPROTO_UDP)
		put(6, bpf_l4_csum_replace(skb, L4_OFF + 6, old_daddr, new_daddr, l4_flags | BPF_F_MARK_MANGLED_0));
	else if (protocol == IPPROTO_TCP)
		put(6, bpf_l4_csum_replace(skb, L4_OFF + 16, old_daddr, new_daddr, l4_flags));
	put(7, bpf_l3_csum_replace(skb, IP_CHECK_OFF, old_daddr, new_daddr, sizeof(new_daddr)));
	put(8, bpf_skb_store_bytes(skb, IP_DADDR_OFF, &new_daddr, sizeof(new_daddr), 0));

	// TTL - 1 with the 16-bit form (TTL and protocol share a word).
	new_word = bpf_htons(bpf_ntohs(old_word) - 0x100);
	put(9, bpf_l3_csum_replace(skb, IP_CHECK_OFF, old_word, new_word, 2));
	put(10, bpf_skb_store_bytes(skb, IP_TTL_OFF, &new_word, 2, 0));

	// The diff form: the checksum of a change computed by csum_diff.
	diff = bpf_csum_diff(&old_daddr, 4, &new_daddr, 4, 0);
	put(11, diff);
	put(12, bpf_l3_csum_replace(skb, IP_CHECK_OFF, 0, diff, 0));
	put(13, bpf_l3_csum_replace(skb, IP_CHECK_OFF, 0, ~diff & 0xffff, 0));

	// Refusals: bad flags, odd and out-of-range offsets, a diff with `from`.
	put(14, bpf_l3_csum_replace(skb, IP_CHECK_OFF, 0, 0, 3));
	put(15, bpf_l3_csum_replace(skb, IP_CHECK_OFF + 1, 0, 0, 2));
	put(16, bpf_l3_csum_replace(skb, 4000, 0, 0, 2));
	put(17, bpf_l4_csum_replace(skb, IP_CHECK_OFF, 1, 2, 0));
	put(18, bpf_l4_csum_replace(skb, IP_CHECK_OFF, 0, 0, 1 << 10));
	put(19, bpf_l4_csum_replace(skb, 0x10000, 0, 0, 2));
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
