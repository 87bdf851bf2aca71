/* checksum: the IPv4 header checksum and the TCP checksum (pseudo header,
 * TCP header and 1460 payload bytes) of a segment laid out in the input,
 * as 16-bit one's-complement sums in loops. */
#include "bench.h"

#define IP_HEADER 20
#define TCP_LENGTH 1480 /* header and payload */

static __always_inline __u32 fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static __always_inline __u64 checksum_core(struct bench_input *in)
{
	const __u8 *ip = in->data;
	const __u8 *tcp = ip + IP_HEADER;
	__u32 sum = 0;

	for (int i = 0; i < IP_HEADER; i += 2)
		if (i != 10) /* the checksum field itself */
			sum += (__u32)ip[i] << 8 | ip[i + 1];
	__u32 ip_checksum = fold(sum);

	/* Pseudo header: addresses, protocol, TCP length. */
	sum = 0;
	for (int i = 12; i < IP_HEADER; i += 2)
		sum += (__u32)ip[i] << 8 | ip[i + 1];
	sum += ip[9] + TCP_LENGTH;
	for (int i = 0; i < TCP_LENGTH; i += 2)
		if (i != 16) /* the TCP checksum field */
			sum += (__u32)tcp[i] << 8 | tcp[i + 1];
	return (__u64)ip_checksum << 16 | fold(sum);
}

BENCH_COMPUTE(checksum)
