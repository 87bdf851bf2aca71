#include "runtime/kernel/KernelAvailability.h"

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <unistd.h>

namespace ebpfc::runtime::kernel {
namespace {

std::string unprivilegedBpfSetting() {
  std::ifstream sysctl("/proc/sys/kernel/unprivileged_bpf_disabled");
  std::string value;
  if (!(sysctl >> value))
    return "";
  return " (kernel.unprivileged_bpf_disabled = " + value + ")";
}

std::string explainErrno(const char *what, int error) {
  std::string reason = std::string(what) + " failed: " + std::strerror(error);
  switch (error) {
  case EPERM:
  case EACCES:
    reason += "; loading BPF programs needs root, or CAP_BPF with CAP_NET_ADMIN" + unprivilegedBpfSetting();
    break;
  case ENOSYS:
    reason += "; the kernel has no bpf() system call (CONFIG_BPF_SYSCALL is off) or a seccomp "
              "filter blocks it";
    break;
  case EINVAL:
    reason += "; the kernel does not support XDP programs or BPF_PROG_TEST_RUN for them";
    break;
  default:
    break;
  }
  return reason;
}

// Loads "r0 = XDP_PASS; exit" and runs it once on a minimal Ethernet frame:
// exactly the two operations the kernel engine depends on.
bool probe(std::string &reason) {
  const bpf_insn program[] = {
      {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, XDP_PASS},
      {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
  };
  int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "ebpfc_probe", "GPL", program, 2, nullptr);
  if (fd < 0) {
    reason = explainErrno("bpf(BPF_PROG_LOAD)", errno);
    return false;
  }
  unsigned char frame[14] = {};
  bpf_test_run_opts run = {};
  run.sz = sizeof(run);
  run.data_in = frame;
  run.data_size_in = sizeof(frame);
  int result = bpf_prog_test_run_opts(fd, &run);
  int error = errno;
  close(fd);
  if (result != 0) {
    reason = explainErrno("bpf(BPF_PROG_TEST_RUN)", error);
    return false;
  }
  if (run.retval != XDP_PASS) {
    reason = "bpf(BPF_PROG_TEST_RUN) of a program returning XDP_PASS returned " +
             std::to_string(run.retval);
    return false;
  }
  return true;
}

} // namespace

bool kernelAvailable(std::string &reason) {
  static std::once_flag probed;
  static bool available = false;
  static std::string cachedReason;
  std::call_once(probed, [] { available = probe(cachedReason); });
  reason = cachedReason;
  return available;
}

} // namespace ebpfc::runtime::kernel
