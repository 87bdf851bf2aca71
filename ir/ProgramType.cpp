#include "ir/ProgramType.h"

#include <algorithm>
#include <array>
#include <string>

namespace ebpfc::ir {

namespace {

constexpr std::array<std::string_view, kProgramTypeCount> kTypeNames = {
    "unspec",        "socket_filter",  "kprobe",        "sched_cls",
    "sched_act",     "tracepoint",     "xdp",           "perf_event",
    "cgroup_skb",    "cgroup_sock",    "lwt_in",        "lwt_out",
    "lwt_xmit",      "sock_ops",       "sk_skb",        "cgroup_device",
    "sk_msg",        "raw_tracepoint", "cgroup_sock_addr", "lwt_seg6local",
    "lirc_mode2",    "sk_reuseport",   "flow_dissector", "cgroup_sysctl",
    "raw_tracepoint_writable", "cgroup_sockopt", "tracing", "struct_ops",
    "ext",           "lsm",            "sk_lookup",     "syscall",
};

// enum bpf_attach_type values used by the section table.
enum Attach : uint32_t {
  kNone = 0,
  kCgroupInetIngress = 0, kCgroupInetEgress = 1, kCgroupInetSockCreate = 2,
  kCgroupSockOps = 3, kSkSkbStreamParser = 4, kSkSkbStreamVerdict = 5,
  kCgroupDevice = 6, kSkMsgVerdict = 7, kCgroupInet4Bind = 8,
  kCgroupInet6Bind = 9, kCgroupInet4Connect = 10, kCgroupInet6Connect = 11,
  kCgroupInet4PostBind = 12, kCgroupInet6PostBind = 13, kCgroupUdp4Sendmsg = 14,
  kCgroupUdp6Sendmsg = 15, kLircMode2 = 16, kFlowDissector = 17,
  kCgroupSysctl = 18, kCgroupUdp4Recvmsg = 19, kCgroupUdp6Recvmsg = 20,
  kCgroupGetsockopt = 21, kCgroupSetsockopt = 22, kTraceRawTp = 23,
  kTraceFentry = 24, kTraceFexit = 25, kModifyReturn = 26, kLsmMac = 27,
  kTraceIter = 28, kCgroupInet4Getpeername = 29, kCgroupInet6Getpeername = 30,
  kCgroupInet4Getsockname = 31, kCgroupInet6Getsockname = 32, kXdpDevmap = 33,
  kCgroupInetSockRelease = 34, kXdpCpumap = 35, kSkLookup = 36, kXdp = 37,
  kSkSkbVerdict = 38, kSkReuseportSelect = 39, kSkReuseportSelectOrMigrate = 40,
  kPerfEvent = 41, kTraceKprobeMulti = 42, kLsmCgroup = 43,
};

using PT = ProgramType;

// libbpf 1.1's section_defs, in its order (first match wins).
const std::vector<SectionRule> kRules = {
    {"socket", PT::SocketFilter, kNone, false},
    {"sk_reuseport/migrate", PT::SkReuseport, kSkReuseportSelectOrMigrate, false},
    {"sk_reuseport", PT::SkReuseport, kSkReuseportSelect, false},
    {"kprobe+", PT::Kprobe, kNone, false},
    {"uprobe+", PT::Kprobe, kNone, false},
    {"uprobe.s+", PT::Kprobe, kNone, true},
    {"kretprobe+", PT::Kprobe, kNone, false},
    {"uretprobe+", PT::Kprobe, kNone, false},
    {"uretprobe.s+", PT::Kprobe, kNone, true},
    {"kprobe.multi+", PT::Kprobe, kTraceKprobeMulti, false},
    {"kretprobe.multi+", PT::Kprobe, kTraceKprobeMulti, false},
    {"ksyscall+", PT::Kprobe, kNone, false},
    {"kretsyscall+", PT::Kprobe, kNone, false},
    {"usdt+", PT::Kprobe, kNone, false},
    {"tc", PT::SchedCls, kNone, false},
    {"classifier", PT::SchedCls, kNone, false},
    {"action", PT::SchedAct, kNone, false},
    {"tracepoint+", PT::Tracepoint, kNone, false},
    {"tp+", PT::Tracepoint, kNone, false},
    {"raw_tracepoint+", PT::RawTracepoint, kNone, false},
    {"raw_tp+", PT::RawTracepoint, kNone, false},
    {"raw_tracepoint.w+", PT::RawTracepointWritable, kNone, false},
    {"raw_tp.w+", PT::RawTracepointWritable, kNone, false},
    {"tp_btf+", PT::Tracing, kTraceRawTp, false},
    {"fentry+", PT::Tracing, kTraceFentry, false},
    {"fmod_ret+", PT::Tracing, kModifyReturn, false},
    {"fexit+", PT::Tracing, kTraceFexit, false},
    {"fentry.s+", PT::Tracing, kTraceFentry, true},
    {"fmod_ret.s+", PT::Tracing, kModifyReturn, true},
    {"fexit.s+", PT::Tracing, kTraceFexit, true},
    {"freplace+", PT::Ext, kNone, false},
    {"lsm+", PT::Lsm, kLsmMac, false},
    {"lsm.s+", PT::Lsm, kLsmMac, true},
    {"lsm_cgroup+", PT::Lsm, kLsmCgroup, false},
    {"iter+", PT::Tracing, kTraceIter, false},
    {"iter.s+", PT::Tracing, kTraceIter, true},
    {"syscall", PT::Syscall, kNone, true},
    {"xdp.frags/devmap", PT::Xdp, kXdpDevmap, false},
    {"xdp/devmap", PT::Xdp, kXdpDevmap, false},
    {"xdp.frags/cpumap", PT::Xdp, kXdpCpumap, false},
    {"xdp/cpumap", PT::Xdp, kXdpCpumap, false},
    {"xdp.frags", PT::Xdp, kXdp, false},
    {"xdp", PT::Xdp, kXdp, false},
    {"perf_event", PT::PerfEvent, kNone, false},
    {"lwt_in", PT::LwtIn, kNone, false},
    {"lwt_out", PT::LwtOut, kNone, false},
    {"lwt_xmit", PT::LwtXmit, kNone, false},
    {"lwt_seg6local", PT::LwtSeg6local, kNone, false},
    {"sockops", PT::SockOps, kCgroupSockOps, false},
    {"sk_skb/stream_parser", PT::SkSkb, kSkSkbStreamParser, false},
    {"sk_skb/stream_verdict", PT::SkSkb, kSkSkbStreamVerdict, false},
    {"sk_skb", PT::SkSkb, kNone, false},
    {"sk_msg", PT::SkMsg, kSkMsgVerdict, false},
    {"lirc_mode2", PT::LircMode2, kLircMode2, false},
    {"flow_dissector", PT::FlowDissector, kFlowDissector, false},
    {"cgroup_skb/ingress", PT::CgroupSkb, kCgroupInetIngress, false},
    {"cgroup_skb/egress", PT::CgroupSkb, kCgroupInetEgress, false},
    {"cgroup/skb", PT::CgroupSkb, kNone, false},
    {"cgroup/sock_create", PT::CgroupSock, kCgroupInetSockCreate, false},
    {"cgroup/sock_release", PT::CgroupSock, kCgroupInetSockRelease, false},
    {"cgroup/sock", PT::CgroupSock, kCgroupInetSockCreate, false},
    {"cgroup/post_bind4", PT::CgroupSock, kCgroupInet4PostBind, false},
    {"cgroup/post_bind6", PT::CgroupSock, kCgroupInet6PostBind, false},
    {"cgroup/bind4", PT::CgroupSockAddr, kCgroupInet4Bind, false},
    {"cgroup/bind6", PT::CgroupSockAddr, kCgroupInet6Bind, false},
    {"cgroup/connect4", PT::CgroupSockAddr, kCgroupInet4Connect, false},
    {"cgroup/connect6", PT::CgroupSockAddr, kCgroupInet6Connect, false},
    {"cgroup/sendmsg4", PT::CgroupSockAddr, kCgroupUdp4Sendmsg, false},
    {"cgroup/sendmsg6", PT::CgroupSockAddr, kCgroupUdp6Sendmsg, false},
    {"cgroup/recvmsg4", PT::CgroupSockAddr, kCgroupUdp4Recvmsg, false},
    {"cgroup/recvmsg6", PT::CgroupSockAddr, kCgroupUdp6Recvmsg, false},
    {"cgroup/getpeername4", PT::CgroupSockAddr, kCgroupInet4Getpeername, false},
    {"cgroup/getpeername6", PT::CgroupSockAddr, kCgroupInet6Getpeername, false},
    {"cgroup/getsockname4", PT::CgroupSockAddr, kCgroupInet4Getsockname, false},
    {"cgroup/getsockname6", PT::CgroupSockAddr, kCgroupInet6Getsockname, false},
    {"cgroup/sysctl", PT::CgroupSysctl, kCgroupSysctl, false},
    {"cgroup/getsockopt", PT::CgroupSockopt, kCgroupGetsockopt, false},
    {"cgroup/setsockopt", PT::CgroupSockopt, kCgroupSetsockopt, false},
    {"cgroup/dev", PT::CgroupDevice, kCgroupDevice, false},
    {"struct_ops+", PT::StructOps, kNone, false},
    {"sk_lookup", PT::SkLookup, kSkLookup, false},
};

bool ruleMatches(std::string_view pattern, std::string_view name) {
  if (pattern.back() == '/')
    return name.starts_with(pattern);
  if (pattern.back() == '+') {
    pattern.remove_suffix(1);
    if (!name.starts_with(pattern))
      return false;
    return name.size() == pattern.size() || name[pattern.size()] == '/';
  }
  return name == pattern;
}

size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

} // namespace

std::string_view programTypeName(ProgramType type) {
  auto index = static_cast<unsigned>(type);
  return index < kTypeNames.size() ? kTypeNames[index] : "unknown";
}

std::optional<ProgramType> programTypeFromName(std::string_view name) {
  for (unsigned i = 0; i < kTypeNames.size(); ++i)
    if (kTypeNames[i] == name)
      return static_cast<ProgramType>(i);
  return std::nullopt;
}

const std::vector<SectionRule> &sectionRules() { return kRules; }

const SectionRule *findSectionRule(std::string_view sectionName) {
  for (const SectionRule &rule : kRules)
    if (ruleMatches(rule.pattern, sectionName))
      return &rule;
  return nullptr;
}

std::vector<std::string_view> suggestSections(std::string_view sectionName, size_t limit) {
  // Old libbpf accepted any name starting with a type ("xdp_drop" -> xdp):
  // the rule whose bare name is a prefix of the section is the best guess.
  std::vector<std::pair<size_t, std::string_view>> scored;
  for (const SectionRule &rule : kRules) {
    std::string_view bare = rule.pattern;
    while (!bare.empty() && (bare.back() == '+' || bare.back() == '/'))
      bare.remove_suffix(1);
    size_t score = sectionName.starts_with(bare) ? 0 : editDistance(sectionName, bare);
    if (score <= std::max<size_t>(2, bare.size() / 3))
      scored.emplace_back(score * 100 + (sectionName.starts_with(bare) ? 100 - bare.size() : 0), bare);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto &a, const auto &b) { return a.first < b.first; });
  std::vector<std::string_view> out;
  for (const auto &[score, name] : scored) {
    if (out.size() == limit) break;
    if (std::find(out.begin(), out.end(), name) == out.end())
      out.push_back(name);
  }
  return out;
}

} // namespace ebpfc::ir
