// eBPF program types (the kernel's enum bpf_prog_type values) and the
// section-name convention libbpf 1.x uses to derive a program's type.
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace ebpfc::ir {

enum class ProgramType : uint32_t {
  Unspec = 0,
  SocketFilter = 1,
  Kprobe = 2,
  SchedCls = 3,
  SchedAct = 4,
  Tracepoint = 5,
  Xdp = 6,
  PerfEvent = 7,
  CgroupSkb = 8,
  CgroupSock = 9,
  LwtIn = 10,
  LwtOut = 11,
  LwtXmit = 12,
  SockOps = 13,
  SkSkb = 14,
  CgroupDevice = 15,
  SkMsg = 16,
  RawTracepoint = 17,
  CgroupSockAddr = 18,
  LwtSeg6local = 19,
  LircMode2 = 20,
  SkReuseport = 21,
  FlowDissector = 22,
  CgroupSysctl = 23,
  RawTracepointWritable = 24,
  CgroupSockopt = 25,
  Tracing = 26,
  StructOps = 27,
  Ext = 28,
  Lsm = 29,
  SkLookup = 30,
  Syscall = 31,
};
inline constexpr unsigned kProgramTypeCount = 32;

// Kernel-style name without prefix, e.g. "xdp", "sched_cls".
std::string_view programTypeName(ProgramType type);
std::optional<ProgramType> programTypeFromName(std::string_view name);

// A set of program types (e.g. the types allowed to call a helper).
class ProgramTypeSet {
public:
  constexpr ProgramTypeSet() = default;
  constexpr ProgramTypeSet(std::initializer_list<ProgramType> types) {
    for (ProgramType t : types) bits_ |= uint64_t{1} << static_cast<unsigned>(t);
  }
  static constexpr ProgramTypeSet all() {
    ProgramTypeSet s;
    s.bits_ = (uint64_t{1} << kProgramTypeCount) - 2; // every type but Unspec
    return s;
  }
  constexpr bool contains(ProgramType t) const { return bits_ >> static_cast<unsigned>(t) & 1; }
  constexpr ProgramTypeSet operator|(ProgramTypeSet o) const { ProgramTypeSet s; s.bits_ = bits_ | o.bits_; return s; }
  constexpr ProgramTypeSet operator-(ProgramTypeSet o) const { ProgramTypeSet s; s.bits_ = bits_ & ~o.bits_; return s; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr uint64_t bits() const { return bits_; }
  friend constexpr bool operator==(ProgramTypeSet, ProgramTypeSet) = default;

private:
  uint64_t bits_ = 0;
};

// One row of libbpf's section table. `pattern` follows libbpf's rules:
// "name" matches exactly; "name+" matches "name" or "name/anything";
// "name/" matches "name/anything" only.
struct SectionRule {
  std::string_view pattern;
  ProgramType type;
  uint32_t expectedAttachType; // kernel enum bpf_attach_type, 0 when none
  bool sleepable;
};

// The rule libbpf 1.1 applies to a section name, or nullptr when libbpf
// cannot derive a program type from it.
const SectionRule *findSectionRule(std::string_view sectionName);
const std::vector<SectionRule> &sectionRules();

// Names a user probably meant when `sectionName` matches no rule (closest
// first, at most `limit`), for "did you mean" notes.
std::vector<std::string_view> suggestSections(std::string_view sectionName, size_t limit = 3);

} // namespace ebpfc::ir
