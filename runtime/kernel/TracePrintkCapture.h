// Captures what programs print with bpf_trace_printk() (bpf_printk) while
// this thread runs them, without touching the system's trace buffer: a
// private tracefs instance records only the bpf_trace_printk event, and only
// the lines of the calling thread are returned.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace ebpfc::runtime::kernel {

class TracePrintkCapture {
public:
  // nullptr and `error` when tracefs is unavailable (not mounted and not
  // mountable, or the kernel lacks the bpf_trace_printk event).
  static std::unique_ptr<TracePrintkCapture> start(std::string &error);
  ~TracePrintkCapture();
  TracePrintkCapture(const TracePrintkCapture &) = delete;
  TracePrintkCapture &operator=(const TracePrintkCapture &) = delete;

  // The messages the calling thread's programs printed since the last call,
  // oldest first; clears the instance's buffer.
  bool take(std::vector<std::string> &messages, std::string &error);

private:
  TracePrintkCapture(int tracefs, std::string instance) : tracefs_(tracefs), instance_(std::move(instance)) {}

  // tracefs' root directory. When this object had to mount tracefs, the
  // mount is already detached from the file system tree: it lives as long as
  // this descriptor, and a crash leaves no mount behind.
  int tracefs_;
  std::string instance_; // "instances/ebpfc-<pid>-<tid>", relative to tracefs_
};

} // namespace ebpfc::runtime::kernel
