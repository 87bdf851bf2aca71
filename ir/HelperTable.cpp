#include "ir/HelperTable.h"

namespace ebpfc::ir {

namespace {
using PT = ProgramType;

// Rows combine whole groups with single types: `kTcTypes | PT::Xdp`.
constexpr ProgramTypeSet operator|(ProgramTypeSet set, ProgramType type) {
  return set | ProgramTypeSet{type};
}
constexpr ProgramTypeSet operator|(ProgramType a, ProgramType b) { return ProgramTypeSet{a, b}; }
constexpr ProgramTypeSet operator-(ProgramTypeSet set, ProgramType type) {
  return set - ProgramTypeSet{type};
}

// The program-type groups rows are written in. Most mirror a func_proto chain
// that several program types share in the Linux 6.1 verifier.

// Every type whose chain ends in bpf_base_func_proto: all but lirc_mode2,
// which has a short list of its own, and ext, which borrows its target's.
// Some base helpers need CAP_BPF (spin locks, timers, bpf_loop, dynptrs,
// per-CPU pointers, ...) and some CAP_PERFMON (the probe_read_* family,
// current-task access, printk-style output); ebpfc's targets assume both.
constexpr ProgramTypeSet kBaseTypes = ProgramTypeSet::all() - PT::LircMode2 - PT::Ext;

// bpf_tracing_func_proto: kprobes, tracepoints, perf events, raw
// tracepoints and the BTF-based tracing types.
constexpr ProgramTypeSet kTracingTypes = {PT::Kprobe, PT::Tracepoint, PT::PerfEvent,
                                          PT::RawTracepoint, PT::RawTracepointWritable,
                                          PT::Tracing, PT::Lsm, PT::Syscall};

// The tracing types the verifier keeps away from maps holding a spin lock or
// a timer (is_tracing_prog_type).
constexpr ProgramTypeSet kPerfTracingTypes = {PT::Kprobe, PT::Tracepoint, PT::PerfEvent,
                                              PT::RawTracepoint, PT::RawTracepointWritable};

// tracing_prog_func_proto: BTF-typed tracing (fentry/fexit/iterators/tp_btf),
// LSM and syscall programs.
constexpr ProgramTypeSet kBtfTracingTypes = {PT::Tracing, PT::Lsm, PT::Syscall};

// The types that may be sleepable in 6.1 (uprobe.s is a sleepable kprobe).
constexpr ProgramTypeSet kSleepableTypes = {PT::Kprobe, PT::Tracing, PT::Lsm, PT::Syscall};

constexpr ProgramTypeSet kTcTypes = {PT::SchedCls, PT::SchedAct};
constexpr ProgramTypeSet kLwtTypes = {PT::LwtIn, PT::LwtOut, PT::LwtXmit, PT::LwtSeg6local};

// bpf_sk_base_func_proto: the socket-buffer and socket types that get the
// skc_to_* casts and bpf_ktime_get_coarse_ns on top of the base helpers.
constexpr ProgramTypeSet kSkBaseTypes =
    kTcTypes | kLwtTypes |
    ProgramTypeSet{PT::SocketFilter, PT::Xdp, PT::CgroupSkb, PT::CgroupSockAddr, PT::SockOps,
                   PT::SkSkb, PT::SkMsg, PT::FlowDissector, PT::SkLookup};

// cgroup_current_func_proto: cgroup hooks that run in the context of the
// task that caused them.
constexpr ProgramTypeSet kCgroupCurrentTypes = {PT::CgroupSock, PT::CgroupSockAddr, PT::CgroupDevice,
                                                PT::CgroupSysctl, PT::CgroupSockopt};

// cgroup_common_func_proto: every cgroup hook, including LSM's BPF_LSM_CGROUP.
constexpr ProgramTypeSet kCgroupCommonTypes = kCgroupCurrentTypes | PT::CgroupSkb | PT::SockOps | PT::Lsm;

#define HELPER(id, name, sig, maj, min, allowed, gpl, ...)                                  \
  HelperInfo{id, "bpf_" #name, sig, {maj, min}, ProgramTypeSet{} | (allowed), gpl, {__VA_ARGS__}},
using enum HelperArg;
constexpr HelperInfo kHelpers[] = {
#include "ir/Helpers.def"
};
#undef HELPER

// findHelper(id) indexes the table directly, so the rows must be exactly the
// ids 1..kLastHelperId in order.
consteval bool idsAreContiguous() {
  uint32_t expected = 1;
  for (const HelperInfo &h : kHelpers)
    if (h.id != expected++)
      return false;
  return expected == kLastHelperId + 1;
}
static_assert(idsAreContiguous(), "Helpers.def must list ids 1..kLastHelperId in order");

} // namespace

std::span<const HelperInfo> allHelpers() { return kHelpers; }

const HelperInfo *findHelper(uint32_t id) {
  if (id == 0 || id > kLastHelperId)
    return nullptr;
  return &kHelpers[id - 1];
}

const HelperInfo *findHelper(std::string_view name) {
  for (const HelperInfo &h : kHelpers)
    if (h.name == name || h.name.substr(4) == name)
      return &h;
  return nullptr;
}

std::string programTypeListText(ProgramTypeSet types) {
  std::string text;
  for (unsigned i = 0; i < kProgramTypeCount; ++i) {
    auto type = static_cast<ProgramType>(i);
    if (!types.contains(type))
      continue;
    if (!text.empty())
      text += ", ";
    text += programTypeName(type);
  }
  return text;
}

} // namespace ebpfc::ir
