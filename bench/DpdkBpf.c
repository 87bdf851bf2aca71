/* The module bench_dpdk: DpdkBpf.h's functions over DPDK's librte_bpf,
 * under the names ebpfc_dpdk_module_* (DpdkShim.c loads this module with
 * dlopen, so that ebpfvm itself never links DPDK). Needs no EAL
 * initialization: loading, validation, interpretation and the JIT work on
 * plain process memory. */
#define _GNU_SOURCE
#include "DpdkBpf.h"

#include <rte_bpf.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_version.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct ebpfc_dpdk_program {
	struct rte_bpf *bpf;
	struct rte_bpf_jit jit;
};

int ebpfc_dpdk_module_available(void) { return 1; }

const char *ebpfc_dpdk_module_version(void) { return rte_version(); }

/* DPDK's log lines (captured), joined into one line, then rte_errno. */
static void describe_refusal(const char *log, size_t log_size, int error_number, char *error, size_t error_size)
{
	size_t used = 0;

	error[0] = 0;
	for (size_t i = 0; i < log_size && used + 1 < error_size; i++) {
		char c = log[i];
		if (c == '\n') {
			if (i + 1 == log_size)
				break;
			if (used + 3 >= error_size)
				break;
			error[used++] = ';';
			c = ' ';
		}
		error[used++] = c;
	}
	error[used] = 0;
	snprintf(error + used, error_size - used, "%s(rte_errno %d: %s)", used ? " " : "", error_number,
		 rte_strerror(error_number));
}

struct ebpfc_dpdk_program *ebpfc_dpdk_module_load(const void *insns, uint32_t count, size_t arg_size, char *error,
					   size_t error_size)
{
	struct rte_bpf_prm prm;
	memset(&prm, 0, sizeof(prm));
	prm.ins = insns;
	prm.nb_ins = count;
	prm.prog_arg.type = RTE_BPF_ARG_PTR;
	prm.prog_arg.size = arg_size;

	/* DPDK explains a refusal in its log only: capture it. */
	char *log = NULL;
	size_t log_size = 0;
	FILE *previous = rte_log_get_stream();
	FILE *capture = open_memstream(&log, &log_size);
	if (capture)
		rte_openlog_stream(capture);
	rte_errno = 0;
	struct rte_bpf *bpf = rte_bpf_load(&prm);
	const int error_number = rte_errno;
	if (capture) {
		rte_openlog_stream(previous == stderr ? NULL : previous);
		fclose(capture);
	}

	struct ebpfc_dpdk_program *program = NULL;
	if (!bpf) {
		describe_refusal(log ? log : "", log ? log_size : 0, error_number, error, error_size);
	} else {
		program = calloc(1, sizeof(*program));
		if (!program) {
			rte_bpf_destroy(bpf);
			snprintf(error, error_size, "out of memory");
		} else {
			program->bpf = bpf;
			if (rte_bpf_get_jit(bpf, &program->jit) != 0)
				program->jit.func = NULL;
		}
	}
	free(log);
	return program;
}

void ebpfc_dpdk_module_destroy(struct ebpfc_dpdk_program *program)
{
	if (!program)
		return;
	rte_bpf_destroy(program->bpf);
	free(program);
}

int ebpfc_dpdk_module_probe(const void *insns, uint32_t count, size_t arg_size, unsigned timeout_ms, char *error,
		     size_t error_size)
{
	int fds[2];
	if (pipe(fds) != 0) {
		snprintf(error, error_size, "pipe: %s", strerror(errno));
		return 0;
	}
	fflush(NULL);
	const pid_t child = fork();
	if (child < 0) {
		close(fds[0]);
		close(fds[1]);
		snprintf(error, error_size, "fork: %s", strerror(errno));
		return 0;
	}
	if (child == 0) {
		/* The answer: "1" or "0" and DPDK's reason. */
		close(fds[0]);
		char reason[1024] = "";
		struct ebpfc_dpdk_program *program = ebpfc_dpdk_module_load(insns, count, arg_size, reason, sizeof(reason));
		char answer[1100];
		const int length = snprintf(answer, sizeof(answer), "%d%s", program != NULL, reason);
		if (write(fds[1], answer, (size_t)length) < 0)
			_exit(2);
		_exit(0);
	}
	close(fds[1]);

	char answer[1100];
	size_t used = 0;
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	int timed_out = 0;
	for (;;) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		const long elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (elapsed >= (long)timeout_ms) {
			timed_out = 1;
			break;
		}
		struct pollfd pfd = {fds[0], POLLIN, 0};
		const int ready = poll(&pfd, 1, (int)((long)timeout_ms - elapsed));
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready <= 0)
			continue;
		const ssize_t got = read(fds[0], answer + used, sizeof(answer) - 1 - used);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		used += (size_t)got;
	}
	close(fds[0]);
	if (timed_out)
		kill(child, SIGKILL);
	int status = 0;
	waitpid(child, &status, 0);
	answer[used] = 0;
	if (timed_out) {
		snprintf(error, error_size, "DPDK's verifier had not finished after %u s (it walks every path)",
			 timeout_ms / 1000);
		return 0;
	}
	if (used == 0) {
		snprintf(error, error_size, "rte_bpf_load crashed (status %d)", status);
		return 0;
	}
	snprintf(error, error_size, "%s", answer + 1);
	return answer[0] == '1';
}

uint64_t ebpfc_dpdk_module_exec(const struct ebpfc_dpdk_program *program, void *input)
{
	return rte_bpf_exec(program->bpf, input);
}

ebpfc_dpdk_jit_function ebpfc_dpdk_module_jit(const struct ebpfc_dpdk_program *program)
{
	return program->jit.func;
}
