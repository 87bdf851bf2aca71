/* strcmp_buf: strcmp of two NUL-terminated strings of up to 128 bytes in
 * the input (they first differ near their end): a byte loop with an early
 * exit, unrolled in BPF. */
#include "bench.h"

#define MAX_LENGTH 128

static __always_inline __u64 strcmp_buf_core(struct bench_input *in)
{
	const __u8 *a = in->data;
	const __u8 *b = in->data + MAX_LENGTH;

	BENCH_UNROLL
	for (int i = 0; i < MAX_LENGTH; i++) {
		if (a[i] != b[i])
			return (__u64)(__s64)((int)a[i] - (int)b[i]);
		if (!a[i])
			return 0;
	}
	return 0;
}

BENCH_COMPUTE(strcmp_buf)
