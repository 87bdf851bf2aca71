/* ilog2: floor(log2(x)) of the input's first 32 words (0 for 0), each by a
 * binary search without branches — every step shifts by (upper half != 0)
 * times the half's width, computed with an add and a shift — folded into a
 * chained sum (each word is first mixed with the sum so far, which keeps
 * clang from interleaving all 32 searches and running out of BPF
 * registers). Loop-free in BPF: about 1,400 instructions of shifts and adds.
 * Branch-free on purpose: the kernel's verifier and DPDK's walk every path
 * of a program, and 32 searches of six if/else each are 2^192 paths. */
#include "bench.h"

/* 1 when x != 0, for x < 2^bits. */
#define NONZERO(x, bits) ((((x) + ((1ull << (bits)) - 1)) >> (bits)))

static __always_inline __u64 floor_log2(__u64 x)
{
	__u64 r, s;

	s = NONZERO(x >> 32, 32) << 5;
	x >>= s;
	r = s;
	s = NONZERO(x >> 16, 16) << 4;
	x >>= s;
	r |= s;
	s = NONZERO(x >> 8, 8) << 3;
	x >>= s;
	r |= s;
	s = NONZERO(x >> 4, 4) << 2;
	x >>= s;
	r |= s;
	s = NONZERO(x >> 2, 2) << 1;
	x >>= s;
	r |= s;
	return r | (x >> 1);
}

static __always_inline __u64 ilog2_core(struct bench_input *in)
{
	const __u64 *words = (const __u64 *)in->data;
	__u64 sum = 0;

	BENCH_UNROLL
	for (int i = 0; i < 32; i++)
		sum = sum * 5 + floor_log2(words[i] ^ (sum >> 7));
	return sum;
}

BENCH_COMPUTE(ilog2)
