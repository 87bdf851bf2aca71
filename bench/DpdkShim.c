/* DpdkBpf.h for ebpfvm: loads the module bench_dpdk (DpdkBpf.c, built only
 * when cmake found libdpdk) with dlopen on first use, so that ebpfvm never
 * links DPDK; without the module nothing loads and the version says why. */
#define _GNU_SOURCE
#include "DpdkBpf.h"

#include <dlfcn.h>
#include <stdio.h>

#ifndef EBPFC_BENCH_DPDK_MODULE
#define EBPFC_BENCH_DPDK_MODULE ""
#endif

static struct {
	int tried;
	int loaded;
	char why[512];
	int (*available)(void);
	const char *(*version)(void);
	struct ebpfc_dpdk_program *(*load)(const void *, uint32_t, size_t, char *, size_t);
	void (*destroy)(struct ebpfc_dpdk_program *);
	int (*probe)(const void *, uint32_t, size_t, unsigned, char *, size_t);
	uint64_t (*exec)(const struct ebpfc_dpdk_program *, void *);
	ebpfc_dpdk_jit_function (*jit)(const struct ebpfc_dpdk_program *);
} module;

static int load_module(void)
{
	if (module.tried)
		return module.loaded;
	module.tried = 1;
	const char *path = EBPFC_BENCH_DPDK_MODULE;
	if (!*path) {
		snprintf(module.why, sizeof(module.why),
			 "not installed (libdpdk was not found when ebpfc was configured; "
			 "scripts/install-bench-deps.sh, then re-run cmake)");
		return 0;
	}
	void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		snprintf(module.why, sizeof(module.why), "not installed (%s)", dlerror());
		return 0;
	}
#define RESOLVE(field, name)                                                                       \
	do {                                                                                       \
		*(void **)&module.field = dlsym(handle, name);                                     \
		if (!module.field) {                                                               \
			snprintf(module.why, sizeof(module.why), "not installed (%s lacks %s)", path, \
				 name);                                                            \
			return 0;                                                                  \
		}                                                                                  \
	} while (0)
	RESOLVE(available, "ebpfc_dpdk_module_available");
	RESOLVE(version, "ebpfc_dpdk_module_version");
	RESOLVE(load, "ebpfc_dpdk_module_load");
	RESOLVE(destroy, "ebpfc_dpdk_module_destroy");
	RESOLVE(probe, "ebpfc_dpdk_module_probe");
	RESOLVE(exec, "ebpfc_dpdk_module_exec");
	RESOLVE(jit, "ebpfc_dpdk_module_jit");
#undef RESOLVE
	module.loaded = module.available();
	return module.loaded;
}

int ebpfc_dpdk_available(void) { return load_module(); }

const char *ebpfc_dpdk_version(void) { return load_module() ? module.version() : module.why; }

struct ebpfc_dpdk_program *ebpfc_dpdk_load(const void *insns, uint32_t count, size_t arg_size, char *error,
					   size_t error_size)
{
	if (!load_module()) {
		snprintf(error, error_size, "%s", module.why);
		return NULL;
	}
	return module.load(insns, count, arg_size, error, error_size);
}

void ebpfc_dpdk_destroy(struct ebpfc_dpdk_program *program)
{
	if (program && load_module())
		module.destroy(program);
}

int ebpfc_dpdk_probe(const void *insns, uint32_t count, size_t arg_size, unsigned timeout_ms, char *error,
		     size_t error_size)
{
	if (!load_module()) {
		snprintf(error, error_size, "%s", module.why);
		return 0;
	}
	return module.probe(insns, count, arg_size, timeout_ms, error, error_size);
}

uint64_t ebpfc_dpdk_exec(const struct ebpfc_dpdk_program *program, void *input)
{
	return module.exec(program, input);
}

ebpfc_dpdk_jit_function ebpfc_dpdk_jit(const struct ebpfc_dpdk_program *program)
{
	return module.jit(program);
}
