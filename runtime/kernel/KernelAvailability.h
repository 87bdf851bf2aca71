// Whether this process can use the kernel engine: load a BPF program and run
// it with BPF_PROG_TEST_RUN.
#pragma once

#include <string>

namespace ebpfc::runtime::kernel {

// Probes once per process (later calls return the cached answer). When the
// answer is no, `reason` says plainly why, e.g. "bpf(BPF_PROG_LOAD) is not
// permitted: Operation not permitted; loading needs root or CAP_BPF with
// CAP_NET_ADMIN (kernel.unprivileged_bpf_disabled = 2)".
bool kernelAvailable(std::string &reason);

} // namespace ebpfc::runtime::kernel
