/* primes: how many primes lie below the input's parameter (at most 1023),
 * by trial division with odd divisors. Nested loops of a few thousand
 * iterations with a division each. */
#include "bench.h"

static __always_inline __u64 primes_core(struct bench_input *in)
{
	__u32 limit = in->parameter & 1023;
	__u64 count = limit > 2;

	for (__u32 n = 3; n < limit; n += 2) {
		__u32 prime = 1;

		/* d < 32 bounds the loop for the verifier: n < 1024. */
		for (__u32 d = 3; d < 32 && d * d <= n; d += 2) {
			if (n % d == 0) {
				prime = 0;
				break;
			}
		}
		count += prime;
	}
	return count;
}

BENCH_COMPUTE(primes)
