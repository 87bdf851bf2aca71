/* memcpy_buf: copies 1016 bytes of the input into its second half with
 * one constant-size memcpy (aligned words; loop-free in BPF), then folds
 * three words of the copy. */
#include "bench.h"

#define COPY_SIZE 1016

static __always_inline __u64 memcpy_buf_core(struct bench_input *in)
{
	__u64 *source = (__u64 *)in->data;
	__u64 *target = (__u64 *)(in->data + COPY_SIZE);

	__builtin_memcpy(target, source, COPY_SIZE);
	return target[0] ^ target[COPY_SIZE / 16] ^ target[COPY_SIZE / 8 - 1];
}

BENCH_COMPUTE(memcpy_buf)
