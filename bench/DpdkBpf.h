/* DPDK's librte_bpf (interpreter and JIT) behind a small C interface, so
 * that DPDK's headers and flags stay in one file (DpdkBpf.c). When DPDK is
 * not installed, DpdkBpfMissing.c provides the same functions and says so. */
#ifndef EBPFC_BENCH_DPDK_BPF_H
#define EBPFC_BENCH_DPDK_BPF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when librte_bpf is linked in. */
int ebpfc_dpdk_available(void);
/* "DPDK 22.11.11", or why there is none ("not installed ..."). */
const char *ebpfc_dpdk_version(void);

struct ebpfc_dpdk_program;

/* rte_bpf_load() of `count` instructions (struct bpf_insn layout) taking a
 * pointer to `arg_size` bytes in r1. NULL with DPDK's reason (its log
 * lines and rte_errno) in `error` when it refuses the program. */
struct ebpfc_dpdk_program *ebpfc_dpdk_load(const void *insns, uint32_t count, size_t arg_size, char *error,
                                           size_t error_size);
void ebpfc_dpdk_destroy(struct ebpfc_dpdk_program *program);
/* Whether DPDK accepts the program, asked in a child process that gets
 * `timeout_ms` to answer: DPDK's verifier walks every path of a program,
 * which for a loop-free program full of if/else diamonds may not end in
 * any useful time. 1: accepted; 0: refused or timed out (why in `error`). */
int ebpfc_dpdk_probe(const void *insns, uint32_t count, size_t arg_size, unsigned timeout_ms, char *error,
		     size_t error_size);
/* rte_bpf_exec(): DPDK's interpreter. */
uint64_t ebpfc_dpdk_exec(const struct ebpfc_dpdk_program *program, void *input);
/* The JIT-compiled function (rte_bpf_get_jit), or NULL when DPDK did not
 * compile the program. */
typedef uint64_t (*ebpfc_dpdk_jit_function)(void *input);
ebpfc_dpdk_jit_function ebpfc_dpdk_jit(const struct ebpfc_dpdk_program *program);

#ifdef __cplusplus
}
#endif

#endif
