/* Shared by the benchmark programs. Each program's source compiles three
 * ways, chosen by a macro:
 *  - (none)        BPF for ebpfvm's engines and DPDK: the program takes its
 *                  input as a pointer in r1 (struct bench_input for compute
 *                  kernels; the packet for raw packet programs);
 *  - BENCH_XDP     BPF for the kernel's BPF_PROG_TEST_RUN: an XDP program
 *                  whose packet holds the same struct bench_input;
 *  - BENCH_NATIVE  a host function `bench_native_NAME` (clang-19 -O2), the
 *                  same logic as plain C.
 * The logic lives in an always-inline core function, so every build runs
 * the same code.
 */
#ifndef EBPFC_BENCH_H
#define EBPFC_BENCH_H

#include <linux/bpf.h>
#include <linux/types.h>

#ifdef BENCH_NATIVE
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
/* Native code is left to clang's own judgement. */
#define BENCH_UNROLL
#else
#include <bpf/bpf_helpers.h>
/* Fixed-size loops that must not stay loops in BPF (DPDK refuses any
 * backward jump) are unrolled completely. */
#define BENCH_UNROLL _Pragma("unroll")
#endif

/* The input of a compute kernel: a parameter and a byte buffer, 8-byte
 * aligned so that word accesses are aligned. Small enough to be an XDP
 * test-run packet. */
#define BENCH_DATA_SIZE 2040
struct bench_input {
	__u32 parameter;
	__u32 seed;
	__u8 data[BENCH_DATA_SIZE];
} __attribute__((aligned(8)));

/* BENCH_COMPUTE(name): the entry points of compute kernel `name`, whose
 * logic is `static __always_inline __u64 name##_core(struct bench_input *)`. */
#if defined(BENCH_NATIVE)
#define BENCH_COMPUTE(name)                                                   \
	__u64 bench_native_##name(struct bench_input *in)                     \
	{                                                                     \
		return name##_core(in);                                       \
	}
#elif defined(BENCH_XDP)
#define BENCH_COMPUTE(name)                                                   \
	SEC("xdp") int name(struct xdp_md *ctx)                               \
	{                                                                     \
		void *data = (void *)(long)ctx->data;                         \
		void *data_end = (void *)(long)ctx->data_end;                 \
		if (data + sizeof(struct bench_input) > data_end)             \
			return XDP_ABORTED;                                   \
		return (int)name##_core(data);                                \
	}                                                                     \
	char _license[] SEC("license") = "GPL";
#else
#define BENCH_COMPUTE(name)                                                   \
	SEC("socket") __u64 name(struct bench_input *in)                      \
	{                                                                     \
		return name##_core(in);                                       \
	}                                                                     \
	char _license[] SEC("license") = "GPL";
#endif

/* The input of a raw packet program (DPDK, native): the packet's length
 * and bytes. The XDP build gets the same bytes as its packet. */
#define BENCH_PACKET_SIZE 1536
struct bench_packet {
	__u32 length;
	__u32 pad;
	__u8 data[BENCH_PACKET_SIZE];
} __attribute__((aligned(8)));

/* BENCH_PACKET(name): the entry points of packet program `name`, whose
 * logic is `static __always_inline int name##_core(void *data, void
 * *data_end)` returning an XDP action. */
#if defined(BENCH_NATIVE)
#define BENCH_PACKET(name)                                                    \
	__u64 bench_native_##name(struct bench_packet *p)                     \
	{                                                                     \
		return name##_core(p->data, p->data + p->length);             \
	}
#elif defined(BENCH_XDP)
#define BENCH_PACKET(name)                                                    \
	SEC("xdp") int name(struct xdp_md *ctx)                               \
	{                                                                     \
		return name##_core((void *)(long)ctx->data,                   \
				   (void *)(long)ctx->data_end);              \
	}                                                                     \
	char _license[] SEC("license") = "GPL";
#else
#define BENCH_PACKET(name)                                                    \
	SEC("socket") __u64 name(struct bench_packet *p)                      \
	{                                                                     \
		__u32 length = p->length;                                     \
		if (length > BENCH_PACKET_SIZE)                               \
			return XDP_ABORTED;                                   \
		return name##_core(p->data, p->data + length);                \
	}                                                                     \
	char _license[] SEC("license") = "GPL";
#endif

#endif
