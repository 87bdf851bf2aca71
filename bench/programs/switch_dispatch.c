/* switch_dispatch: a tiny accumulator machine running 256 one-byte
 * instructions from the input 8 times, one switch per instruction. */
#include "bench.h"

static __always_inline __u64 switch_dispatch_core(struct bench_input *in)
{
	__u64 acc = in->seed;
	__u64 x = 1;

	for (__u32 round = 0; round < 8; round++) {
		for (__u32 pc = 0; pc < 256; pc++) {
			switch (in->data[pc] & 7) {
			case 0:
				acc += x;
				break;
			case 1:
				acc ^= acc << 7;
				break;
			case 2:
				x = x * 3 + 1;
				break;
			case 3:
				acc -= in->data[(pc + 1) & 255];
				break;
			case 4:
				acc = (acc >> 3) | (acc << 61);
				break;
			case 5:
				x ^= acc;
				break;
			case 6:
				acc += pc;
				break;
			default:
				acc = ~acc;
				break;
			}
		}
	}
	return acc ^ x;
}

BENCH_COMPUTE(switch_dispatch)
