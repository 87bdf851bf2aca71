#include "ir/HelperTable.h"

#include <bpf/btf.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <bitset>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace ebpfc::ir;
using PT = ProgramType;

namespace {

size_t parameterCount(std::string_view signature) {
  std::string_view params = signature.substr(signature.find('(') + 1);
  params = params.substr(0, params.rfind(')'));
  if (params == "void")
    return 0;
  return static_cast<size_t>(std::count(params.begin(), params.end(), ',')) + 1;
}

size_t argumentCount(const HelperInfo &h) {
  size_t n = 0;
  while (n < 5 && h.args[n] != HelperArg::None)
    ++n;
  return n;
}

bool allowedOnlyIn(const HelperInfo &h, ProgramTypeSet types) { return h.allowed == types; }

} // namespace

TEST(HelperTable, CoversEveryIdOfLinux61InOrder) {
  auto helpers = allHelpers();
  ASSERT_EQ(helpers.size(), kLastHelperId);
  for (uint32_t i = 0; i < helpers.size(); ++i)
    EXPECT_EQ(helpers[i].id, i + 1);
  EXPECT_EQ(helpers.back().name, "bpf_user_ringbuf_drain");
}

TEST(HelperTable, NamesAreUniqueAndPrefixed) {
  std::set<std::string_view> seen;
  for (const HelperInfo &h : allHelpers()) {
    EXPECT_TRUE(h.name.starts_with("bpf_")) << h.name;
    EXPECT_TRUE(seen.insert(h.name).second) << "duplicate " << h.name;
  }
}

TEST(HelperTable, FindsByIdAndByNameWithOrWithoutPrefix) {
  ASSERT_NE(findHelper(1), nullptr);
  EXPECT_EQ(findHelper(1)->name, "bpf_map_lookup_elem");
  EXPECT_EQ(findHelper(44)->name, "bpf_xdp_adjust_head");
  EXPECT_EQ(findHelper(kLastHelperId)->name, "bpf_user_ringbuf_drain");
  EXPECT_EQ(findHelper(0u), nullptr);
  EXPECT_EQ(findHelper(kLastHelperId + 1), nullptr);

  EXPECT_EQ(findHelper("bpf_redirect_map"), findHelper(51));
  EXPECT_EQ(findHelper("redirect_map"), findHelper(51));
  EXPECT_EQ(findHelper("bpf_no_such_helper"), nullptr);
  EXPECT_EQ(findHelper("xdp"), nullptr);
  EXPECT_EQ(findHelper(""), nullptr);
}

TEST(HelperTable, SignaturesAreOneLinePrototypesOfTheHelper) {
  for (const HelperInfo &h : allHelpers()) {
    std::string call = std::string(h.name) + "(";
    EXPECT_NE(h.signature.find(call), std::string_view::npos) << h.signature;
    EXPECT_EQ(h.signature.find('\n'), std::string_view::npos) << h.name;
    EXPECT_EQ(h.signature.find("  "), std::string_view::npos) << h.name;
    EXPECT_TRUE(h.signature.ends_with(")")) << h.name;
  }
  EXPECT_EQ(findHelper("map_lookup_elem")->signature,
            "void *bpf_map_lookup_elem(struct bpf_map *map, const void *key)");
}

TEST(HelperTable, ArgumentKindsMatchThePrototype) {
  for (const HelperInfo &h : allHelpers()) {
    size_t n = argumentCount(h);
    for (size_t i = n; i < 5; ++i)
      EXPECT_EQ(h.args[i], HelperArg::None) << h.name << " has an argument after None";
    if (h.signature.find("...") != std::string_view::npos) {
      EXPECT_EQ(n, 5u) << h.name << ": variadic arguments fill the five registers";
    } else {
      EXPECT_EQ(n, parameterCount(h.signature)) << h.signature;
    }
  }
}

TEST(HelperTable, EverySizeFollowsItsMemory) {
  for (const HelperInfo &h : allHelpers())
    for (size_t i = 0; i < 5; ++i) {
      bool memory = h.args[i] == HelperArg::Mem || h.args[i] == HelperArg::UninitMem;
      bool sizeNext = i + 1 < 5 && h.args[i + 1] == HelperArg::MemSize;
      if (memory) {
        EXPECT_TRUE(sizeNext) << h.name << " argument " << i + 1;
      }
      if (h.args[i] == HelperArg::MemSize) {
        EXPECT_TRUE(i > 0 && (h.args[i - 1] == HelperArg::Mem || h.args[i - 1] == HelperArg::UninitMem))
            << h.name << " argument " << i + 1;
      }
    }
}

// Helper ids are appended to the uapi enum as helpers land, so a later id
// never appeared in an earlier release.
TEST(HelperTable, VersionsNeverDecreaseWithId) {
  KernelVersion previous{3, 19};
  for (const HelperInfo &h : allHelpers()) {
    EXPECT_GE(h.since, previous) << h.name;
    EXPECT_LE(h.since, kDefaultTargetKernel) << h.name;
    previous = h.since;
  }
}

TEST(HelperTable, EveryHelperHasACallerButNeverUnspecOrExt) {
  for (const HelperInfo &h : allHelpers()) {
    EXPECT_FALSE(h.allowed.empty()) << h.name;
    EXPECT_FALSE(h.allowed.contains(PT::Unspec)) << h.name;
    EXPECT_FALSE(h.allowed.contains(PT::Ext)) << h.name;
  }
}

TEST(HelperTable, ListsProgramTypesAsText) {
  EXPECT_EQ(programTypeListText(findHelper("xdp_adjust_head")->allowed), "xdp");
  EXPECT_EQ(programTypeListText(findHelper("fib_lookup")->allowed), "sched_cls, sched_act, xdp");
  EXPECT_EQ(programTypeListText({}), "");
}

TEST(HelperFacts, XdpAdjustHeadIsXdpOnlySince410) {
  const HelperInfo *h = findHelper("bpf_xdp_adjust_head");
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->id, 44u);
  EXPECT_TRUE(allowedOnlyIn(*h, {PT::Xdp}));
  EXPECT_EQ(h->since, (KernelVersion{4, 10}));
  EXPECT_FALSE(h->gplOnly);
  EXPECT_EQ(h->args[0], HelperArg::Ctx);
  EXPECT_EQ(h->args[1], HelperArg::Scalar);
  EXPECT_EQ(h->args[2], HelperArg::None);
}

TEST(HelperFacts, SkbStoreBytesIsForTcNotXdp) {
  const HelperInfo *h = findHelper("skb_store_bytes");
  ASSERT_NE(h, nullptr);
  EXPECT_TRUE(h->allowed.contains(PT::SchedCls));
  EXPECT_TRUE(h->allowed.contains(PT::SchedAct));
  EXPECT_FALSE(h->allowed.contains(PT::Xdp));
  EXPECT_FALSE(h->allowed.contains(PT::SocketFilter));
  EXPECT_EQ(h->since, (KernelVersion{4, 1}));
}

TEST(HelperFacts, RedirectServesXdpAndTc) {
  const HelperInfo *h = findHelper("redirect");
  ASSERT_NE(h, nullptr);
  EXPECT_TRUE(allowedOnlyIn(*h, {PT::Xdp, PT::SchedCls, PT::SchedAct, PT::LwtXmit}));
  EXPECT_EQ(h->since, (KernelVersion{4, 4}));
}

TEST(HelperFacts, RedirectMapIsXdpOnlySince414) {
  const HelperInfo *h = findHelper("bpf_redirect_map");
  ASSERT_NE(h, nullptr);
  EXPECT_TRUE(allowedOnlyIn(*h, {PT::Xdp}));
  EXPECT_EQ(h->since, (KernelVersion{4, 14}));
  EXPECT_EQ(h->args[0], HelperArg::ConstMap);
}

TEST(HelperFacts, FibLookupServesXdpAndTcUnderGpl) {
  const HelperInfo *h = findHelper("bpf_fib_lookup");
  ASSERT_NE(h, nullptr);
  EXPECT_TRUE(allowedOnlyIn(*h, {PT::Xdp, PT::SchedCls, PT::SchedAct}));
  EXPECT_TRUE(h->gplOnly);
  EXPECT_EQ(h->since, (KernelVersion{4, 18}));
}

TEST(HelperFacts, LegacyProbeReadIsTracingOnly) {
  for (std::string_view name : {"bpf_probe_read", "bpf_probe_read_str"}) {
    const HelperInfo *h = findHelper(name);
    ASSERT_NE(h, nullptr);
    EXPECT_TRUE(h->allowed.contains(PT::Kprobe)) << name;
    EXPECT_TRUE(h->allowed.contains(PT::Tracing)) << name;
    EXPECT_FALSE(h->allowed.contains(PT::Xdp)) << name;
    EXPECT_FALSE(h->allowed.contains(PT::SchedCls)) << name;
    EXPECT_TRUE(h->gplOnly) << name;
  }
}

// bpf_base_func_proto in 6.1 hands bpf_probe_read_kernel to every program
// type when the loader has CAP_PERFMON, not to tracing programs only.
TEST(HelperFacts, ProbeReadKernelReachesNetworkingTypesWithPerfmon) {
  const HelperInfo *h = findHelper("bpf_probe_read_kernel");
  ASSERT_NE(h, nullptr);
  EXPECT_TRUE(h->allowed.contains(PT::Kprobe));
  EXPECT_TRUE(h->allowed.contains(PT::Tracing));
  EXPECT_TRUE(h->allowed.contains(PT::Xdp));
  EXPECT_FALSE(h->allowed.contains(PT::LircMode2));
  EXPECT_TRUE(h->gplOnly);
  EXPECT_EQ(h->since, (KernelVersion{5, 5}));
}

TEST(HelperFacts, MapLookupIsEverywhere) {
  const HelperInfo *h = findHelper("map_lookup_elem");
  ASSERT_NE(h, nullptr);
  for (unsigned t = 1; t < kProgramTypeCount; ++t) {
    auto type = static_cast<ProgramType>(t);
    if (type != PT::Ext) {
      EXPECT_TRUE(h->allowed.contains(type)) << programTypeName(type);
    }
  }
  EXPECT_FALSE(h->gplOnly);
  EXPECT_EQ(h->since, (KernelVersion{3, 19}));
  EXPECT_EQ(h->args[0], HelperArg::ConstMap);
  EXPECT_EQ(h->args[1], HelperArg::MapKey);
  EXPECT_EQ(h->args[2], HelperArg::None);
}

TEST(HelperFacts, GplOnlyFlags) {
  EXPECT_TRUE(findHelper("trace_printk")->gplOnly);
  EXPECT_TRUE(findHelper("probe_write_user")->gplOnly);
  EXPECT_TRUE(findHelper("perf_event_output")->gplOnly);
  EXPECT_FALSE(findHelper("map_update_elem")->gplOnly);
  EXPECT_FALSE(findHelper("redirect")->gplOnly);
  EXPECT_FALSE(findHelper("xdp_adjust_tail")->gplOnly);
}

TEST(HelperFacts, ProgramTypeSpecificFamilies) {
  EXPECT_TRUE(allowedOnlyIn(*findHelper("msg_redirect_map"), {PT::SkMsg}));
  EXPECT_TRUE(allowedOnlyIn(*findHelper("sk_redirect_map"), {PT::SkSkb}));
  EXPECT_TRUE(allowedOnlyIn(*findHelper("sock_ops_cb_flags_set"), {PT::SockOps}));
  EXPECT_TRUE(allowedOnlyIn(*findHelper("sk_select_reuseport"), {PT::SkReuseport}));
  EXPECT_TRUE(allowedOnlyIn(*findHelper("sysctl_get_name"), {PT::CgroupSysctl}));
  EXPECT_TRUE(allowedOnlyIn(*findHelper("lwt_push_encap"), {PT::LwtIn, PT::LwtXmit}));
  EXPECT_TRUE(allowedOnlyIn(*findHelper("sk_assign"), {PT::SchedCls, PT::SchedAct, PT::SkLookup}));
  EXPECT_TRUE(findHelper("skb_load_bytes")->allowed.contains(PT::FlowDissector));
  EXPECT_FALSE(findHelper("skb_load_bytes")->allowed.contains(PT::Xdp));
  EXPECT_TRUE(findHelper("xdp_load_bytes")->allowed.contains(PT::Xdp));
  EXPECT_TRUE(allowedOnlyIn(*findHelper("override_return"), {PT::Kprobe}));
  EXPECT_TRUE(allowedOnlyIn(*findHelper("seq_printf"), {PT::Tracing}));
}

// ---------------------------------------------------------------------------
// The running kernel as oracle. Helper sets only grow from one release to the
// next, so every helper the table allows a program type in 6.1 must be
// accepted by a newer kernel for that type too. The probe is bpftool's method
// (load "call helper; exit" and read the verifier log) done directly: bpftool
// 7.1 looks only for 6.1's "unknown func" message and so reports every helper
// as available on kernels that say "program of this type cannot use helper".
namespace {

std::optional<bool> kernelConfigEnabled(const std::string &option) {
  utsname host{};
  uname(&host);
  std::string text;
  if (std::ifstream file{std::string("/boot/config-") + host.release}) {
    std::stringstream content;
    content << file.rdbuf();
    text = content.str();
  } else if (FILE *pipe = popen("gzip -dc /proc/config.gz 2>/dev/null", "r")) {
    char buffer[4096];
    for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;)
      text.append(buffer, n);
    pclose(pipe);
  }
  if (text.empty())
    return std::nullopt;
  return text.find("\n" + option + "=y") != std::string::npos;
}

enum class Lockdown { None, Integrity, Confidentiality };

// The kernel's lockdown level: exact from securityfs, otherwise the level the
// kernel configuration forces, which boot parameters and securityfs writes
// can only raise.
struct LockdownState {
  Lockdown atLeast;
  bool exact;
};

LockdownState kernelLockdown() {
  std::ifstream file("/sys/kernel/security/lockdown");
  std::string text;
  if (std::getline(file, text)) {
    if (text.find("[integrity]") != std::string::npos)
      return {Lockdown::Integrity, true};
    if (text.find("[confidentiality]") != std::string::npos)
      return {Lockdown::Confidentiality, true};
    return {Lockdown::None, true};
  }
  if (kernelConfigEnabled("CONFIG_LOCK_DOWN_KERNEL_FORCE_CONFIDENTIALITY").value_or(false))
    return {Lockdown::Confidentiality, true};
  if (kernelConfigEnabled("CONFIG_LOCK_DOWN_KERNEL_FORCE_INTEGRITY").value_or(false))
    return {Lockdown::Integrity, false};
  return {Lockdown::None, false};
}

// One way of loading a program type; a type's helpers are the union over its
// configurations that this kernel and machine let us load.
struct ProbeConfig {
  PT type;
  uint32_t expectedAttachType = 0;
  std::string_view btfTarget = {}; // function, typedef or struct the program attaches to
  uint32_t btfKind = 0;
  std::string_view structOpsMember = {};
  uint32_t flags = 0;
  std::string_view label = {};
};

std::vector<ProbeConfig> probeConfigs() {
  return {
      {PT::SocketFilter},
      {PT::Kprobe},
      {PT::Kprobe, 0, {}, 0, {}, BPF_F_SLEEPABLE, "sleepable"},
      {PT::Kprobe, BPF_TRACE_KPROBE_MULTI},
      {PT::SchedCls},
      {PT::SchedAct},
      {PT::Tracepoint},
      {PT::Xdp},
      {PT::PerfEvent},
      {PT::CgroupSkb, BPF_CGROUP_INET_INGRESS},
      {PT::CgroupSkb, BPF_CGROUP_INET_EGRESS},
      {PT::CgroupSock, BPF_CGROUP_INET_SOCK_CREATE},
      {PT::CgroupSock, BPF_CGROUP_INET4_POST_BIND},
      {PT::CgroupSock, BPF_CGROUP_INET_SOCK_RELEASE},
      {PT::LwtIn},
      {PT::LwtOut},
      {PT::LwtXmit},
      {PT::SockOps, BPF_CGROUP_SOCK_OPS},
      {PT::SkSkb, BPF_SK_SKB_STREAM_VERDICT},
      {PT::CgroupDevice, BPF_CGROUP_DEVICE},
      {PT::SkMsg, BPF_SK_MSG_VERDICT},
      {PT::RawTracepoint},
      {PT::CgroupSockAddr, BPF_CGROUP_INET4_BIND},
      {PT::CgroupSockAddr, BPF_CGROUP_INET4_CONNECT, {}, 0, {}, 0, "connect"},
      {PT::CgroupSockAddr, BPF_CGROUP_UDP4_SENDMSG},
      {PT::CgroupSockAddr, BPF_CGROUP_UDP4_RECVMSG},
      {PT::CgroupSockAddr, BPF_CGROUP_INET4_GETPEERNAME},
      {PT::LwtSeg6local},
      {PT::LircMode2, BPF_LIRC_MODE2},
      {PT::SkReuseport, BPF_SK_REUSEPORT_SELECT},
      {PT::SkReuseport, BPF_SK_REUSEPORT_SELECT_OR_MIGRATE},
      {PT::FlowDissector, BPF_FLOW_DISSECTOR},
      {PT::CgroupSysctl, BPF_CGROUP_SYSCTL},
      {PT::RawTracepointWritable},
      {PT::CgroupSockopt, BPF_CGROUP_GETSOCKOPT},
      {PT::CgroupSockopt, BPF_CGROUP_SETSOCKOPT, {}, 0, {}, 0, "setsockopt hook"},
      {PT::Tracing, BPF_TRACE_FENTRY, "bpf_fentry_test1", BTF_KIND_FUNC, {}, 0, "trampoline"},
      {PT::Tracing, BPF_TRACE_FEXIT, "bpf_fentry_test1", BTF_KIND_FUNC, {}, 0, "trampoline"},
      {PT::Tracing, BPF_MODIFY_RETURN, "bpf_modify_return_test", BTF_KIND_FUNC, {}, 0, "trampoline"},
      {PT::Tracing, BPF_TRACE_RAW_TP, "btf_trace_sched_switch", BTF_KIND_TYPEDEF},
      {PT::Tracing, BPF_TRACE_ITER, "bpf_iter_task", BTF_KIND_FUNC, {}, 0, "iterator"},
      {PT::Tracing, BPF_TRACE_ITER, "bpf_iter_task", BTF_KIND_FUNC, {}, BPF_F_SLEEPABLE, "sleepable"},
      {PT::Tracing, BPF_TRACE_ITER, "bpf_iter_tcp", BTF_KIND_FUNC, {}, 0, "socket iterator"},
      {PT::StructOps, 0, "tcp_congestion_ops", BTF_KIND_STRUCT, "ssthresh"},
      {PT::Lsm, BPF_LSM_MAC, "bpf_lsm_file_open", BTF_KIND_FUNC, {}, 0, "trampoline"},
      {PT::Lsm, BPF_LSM_MAC, "bpf_lsm_bpf", BTF_KIND_FUNC, {}, BPF_F_SLEEPABLE, "sleepable"},
      {PT::Lsm, BPF_LSM_CGROUP, "bpf_lsm_socket_bind", BTF_KIND_FUNC, {}, 0, "lsm cgroup"},
      {PT::SkLookup, BPF_SK_LOOKUP},
      {PT::Syscall, 0, {}, 0, {}, BPF_F_SLEEPABLE},
  };
}

// Helpers that a program type gets only through one kind of configuration;
// when none of that kind loads here, the probe cannot speak for them.
struct ConfigDependence {
  PT type;
  std::string_view helper;
  std::string_view label;
};
constexpr ConfigDependence kConfigDependences[] = {
    {PT::Kprobe, "bpf_copy_from_user", "sleepable"},
    {PT::Kprobe, "bpf_copy_from_user_task", "sleepable"},
    {PT::CgroupSockAddr, "bpf_bind", "connect"},
    {PT::CgroupSockopt, "bpf_setsockopt", "setsockopt hook"},
    {PT::CgroupSockopt, "bpf_getsockopt", "setsockopt hook"},
    {PT::Tracing, "bpf_get_func_arg", "trampoline"},
    {PT::Tracing, "bpf_get_func_ret", "trampoline"},
    {PT::Tracing, "bpf_get_func_arg_cnt", "trampoline"},
    {PT::Tracing, "bpf_get_func_ip", "trampoline"},
    {PT::Tracing, "bpf_get_attach_cookie", "trampoline"},
    {PT::Tracing, "bpf_seq_printf", "iterator"},
    {PT::Tracing, "bpf_seq_write", "iterator"},
    {PT::Tracing, "bpf_seq_printf_btf", "iterator"},
    {PT::Tracing, "bpf_d_path", "iterator"},
    {PT::Tracing, "bpf_setsockopt", "socket iterator"},
    {PT::Tracing, "bpf_getsockopt", "socket iterator"},
    {PT::Tracing, "bpf_copy_from_user", "sleepable"},
    {PT::Tracing, "bpf_copy_from_user_task", "sleepable"},
    {PT::Lsm, "bpf_copy_from_user", "sleepable"},
    {PT::Lsm, "bpf_copy_from_user_task", "sleepable"},
    {PT::Lsm, "bpf_ima_inode_hash", "sleepable"},
    {PT::Lsm, "bpf_ima_file_hash", "sleepable"},
    {PT::Lsm, "bpf_d_path", "sleepable"},
    {PT::Lsm, "bpf_setsockopt", "lsm cgroup"},
    {PT::Lsm, "bpf_getsockopt", "lsm cgroup"},
    {PT::Lsm, "bpf_get_local_storage", "lsm cgroup"},
    {PT::Lsm, "bpf_get_retval", "lsm cgroup"},
    {PT::Lsm, "bpf_set_retval", "lsm cgroup"},
};

// Why the running kernel may withhold a helper regardless of its version, or
// nullopt when nothing but the version decides.
std::optional<std::string> environmentGate(std::string_view helper) {
  auto lockdownGate = [](Lockdown blocking) -> std::optional<std::string> {
    LockdownState lockdown = kernelLockdown();
    if (lockdown.atLeast >= blocking)
      return "the kernel is locked down";
    if (!lockdown.exact)
      return "the kernel lockdown state is unreadable";
    return std::nullopt;
  };
  if (helper == "bpf_override_return") {
    std::optional<bool> enabled = kernelConfigEnabled("CONFIG_BPF_KPROBE_OVERRIDE");
    if (!enabled)
      return "the kernel configuration is unreadable";
    if (!*enabled)
      return "CONFIG_BPF_KPROBE_OVERRIDE is off";
    return std::nullopt;
  }
  if (helper == "bpf_probe_write_user")
    return lockdownGate(Lockdown::Integrity);
  if (helper == "bpf_probe_read_kernel" || helper == "bpf_probe_read_kernel_str" ||
      helper == "bpf_probe_read" || helper == "bpf_probe_read_str")
    return lockdownGate(Lockdown::Confidentiality);
  return std::nullopt;
}

constexpr const char *kRejections[] = {"unknown func ", "program of this type cannot use helper ",
                                       "invalid func "};

struct LoadOutcome {
  bool loaded = false;
  int error = 0;
  std::string log;
};

LoadOutcome loadProgram(const ProbeConfig &config, uint32_t attachBtfId, uint32_t helperId,
                        int32_t returnValue, const char *license) {
  auto insn = [](uint8_t code, int32_t imm) {
    bpf_insn result{};
    result.code = code;
    result.imm = imm;
    return result;
  };
  std::vector<bpf_insn> insns;
  if (helperId != 0)
    insns.push_back(insn(BPF_JMP | BPF_CALL, static_cast<int32_t>(helperId)));
  insns.push_back(insn(BPF_ALU64 | BPF_MOV | BPF_K, returnValue)); // r0 = returnValue
  insns.push_back(insn(BPF_JMP | BPF_EXIT, 0));

  std::string log(1 << 16, '\0');
  bpf_attr attr{};
  attr.prog_type = static_cast<uint32_t>(config.type);
  attr.insns = reinterpret_cast<uint64_t>(insns.data());
  attr.insn_cnt = static_cast<uint32_t>(insns.size());
  attr.license = reinterpret_cast<uint64_t>(license);
  attr.log_buf = reinterpret_cast<uint64_t>(log.data());
  attr.log_size = static_cast<uint32_t>(log.size());
  attr.log_level = 1;
  attr.prog_flags = config.flags;
  attr.expected_attach_type = config.expectedAttachType;
  attr.attach_btf_id = attachBtfId;
  int fd = static_cast<int>(syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr));
  LoadOutcome outcome{fd >= 0, fd >= 0 ? 0 : errno, {}};
  if (fd >= 0)
    close(fd);
  log.resize(std::strlen(log.c_str()));
  outcome.log = std::move(log);
  return outcome;
}

using HelperBits = std::bitset<kLastHelperId + 1>;

struct KernelHelpers {
  std::string skipReason;                       // non-empty: nothing could be probed
  std::map<PT, HelperBits> accepted;            // per probed type
  std::map<PT, std::set<std::string_view>> loadedLabels;
  std::vector<std::string> unusableConfigs;
  HelperBits requiresGpl;                       // GPL-restricted in some probed type
  HelperBits acceptsAnyLicense;                 // accepted under a non-GPL license somewhere
};

// Resolves the config's BTF target; nullopt when this kernel lacks it.
std::optional<std::pair<uint32_t, uint32_t>> btfAttachment(const btf *vmlinux, const ProbeConfig &config) {
  if (config.btfTarget.empty())
    return std::pair{0u, config.expectedAttachType};
  if (!vmlinux)
    return std::nullopt;
  int id = btf__find_by_name_kind(vmlinux, std::string(config.btfTarget).c_str(), config.btfKind);
  if (id <= 0)
    return std::nullopt;
  if (config.structOpsMember.empty())
    return std::pair{static_cast<uint32_t>(id), config.expectedAttachType};
  // struct_ops programs name the member they implement by its index.
  const btf_type *type = btf__type_by_id(vmlinux, static_cast<uint32_t>(id));
  const btf_member *members = btf_members(type);
  for (uint32_t i = 0; i < btf_vlen(type); ++i)
    if (config.structOpsMember == btf__name_by_offset(vmlinux, members[i].name_off))
      return std::pair{static_cast<uint32_t>(id), i};
  return std::nullopt;
}

// The release whose helper sets the table describes; older kernels lack some.
constexpr KernelVersion kTableKernel{6, 1};

KernelHelpers probeKernel() {
  KernelHelpers result;
  utsname host{};
  uname(&host);
  KernelVersion running;
  if (std::sscanf(host.release, "%u.%u", &running.major, &running.minor) != 2 || running < kTableKernel) {
    result.skipReason = std::string("the running kernel ") + host.release + " is older than " +
                        kTableKernel.str() + ", whose helper sets the table describes";
    return result;
  }
  btf *vmlinux = btf__load_vmlinux_btf(); // nullptr without /sys/kernel/btf/vmlinux
  int firstError = 0;
  for (const ProbeConfig &config : probeConfigs()) {
    std::string what = std::string(programTypeName(config.type)) + " attach " +
                       std::to_string(config.expectedAttachType) +
                       (config.label.empty() ? "" : " (" + std::string(config.label) + ")");
    auto attachment = btfAttachment(vmlinux, config);
    if (!attachment) {
      result.unusableConfigs.push_back(what + ": no BTF for " + std::string(config.btfTarget));
      continue;
    }
    ProbeConfig resolved = config;
    resolved.expectedAttachType = attachment->second;
    uint32_t btfId = attachment->first;
    // Some hooks insist on a return value of 0, others on 1.
    std::optional<int32_t> returnValue;
    LoadOutcome baseline;
    for (int32_t value : {0, 1}) {
      baseline = loadProgram(resolved, btfId, 0, value, "GPL");
      if (baseline.loaded) {
        returnValue = value;
        break;
      }
    }
    if (!returnValue) {
      if (!firstError)
        firstError = baseline.error;
      result.unusableConfigs.push_back(what + ": " + std::strerror(baseline.error));
      continue;
    }
    bool licenseProbe = loadProgram(resolved, btfId, 0, *returnValue, "Proprietary").loaded;
    HelperBits &accepted = result.accepted[config.type];
    if (!config.label.empty())
      result.loadedLabels[config.type].insert(config.label);
    for (uint32_t id = 1; id <= kLastHelperId; ++id) {
      LoadOutcome call = loadProgram(resolved, btfId, id, *returnValue, "GPL");
      bool rejected = !call.loaded && std::any_of(std::begin(kRejections), std::end(kRejections),
                                                  [&](const char *phrase) {
                                                    return call.log.find(phrase) != std::string::npos;
                                                  });
      if (rejected)
        continue;
      accepted.set(id);
      if (!licenseProbe)
        continue;
      LoadOutcome proprietary = loadProgram(resolved, btfId, id, *returnValue, "Proprietary");
      if (proprietary.log.find("GPL-restricted") != std::string::npos)
        result.requiresGpl.set(id);
      else
        result.acceptsAnyLicense.set(id);
    }
  }
  btf__free(vmlinux);
  if (result.accepted.empty())
    result.skipReason = std::string("bpf(BPF_PROG_LOAD) loads no program here: ") +
                        (firstError ? std::strerror(firstError) : "no probe configuration");
  return result;
}

const KernelHelpers &kernelHelpers() {
  static const KernelHelpers helpers = probeKernel();
  return helpers;
}

} // namespace

TEST(HelperTableOracle, RunningKernelAcceptsEveryHelperTheTableAllows) {
  const KernelHelpers &kernel = kernelHelpers();
  if (!kernel.skipReason.empty())
    GTEST_SKIP() << kernel.skipReason;

  std::vector<std::string> violations;
  std::vector<std::string> notes;
  for (const auto &[type, accepted] : kernel.accepted) {
    size_t inTable = 0;
    for (const HelperInfo &h : allHelpers()) {
      if (!h.allowed.contains(type))
        continue;
      ++inTable;
      if (accepted.test(h.id))
        continue;
      std::string where = std::string(programTypeName(type)) + ": " + std::string(h.name);
      if (std::optional<std::string> gate = environmentGate(h.name)) {
        notes.push_back(where + " not checked, " + *gate);
        continue;
      }
      auto labelLoaded = [&](std::string_view label) {
        auto labels = kernel.loadedLabels.find(type);
        return labels != kernel.loadedLabels.end() && labels->second.contains(label);
      };
      bool configMissing =
          std::any_of(std::begin(kConfigDependences), std::end(kConfigDependences),
                      [&](const ConfigDependence &dependence) {
                        return dependence.type == type && dependence.helper == h.name &&
                               !labelLoaded(dependence.label);
                      });
      if (configMissing) {
        notes.push_back(where + " not checked, no configuration that offers it loads here");
        continue;
      }
      violations.push_back(where);
    }
    std::cout << "[ oracle   ] " << programTypeName(type) << ": table allows " << inTable
              << ", running kernel accepts " << accepted.count() << "\n";
  }
  for (const std::string &config : kernel.unusableConfigs)
    std::cout << "[ oracle   ] configuration not loadable: " << config << "\n";
  for (const std::string &note : notes)
    std::cout << "[ oracle   ] " << note << "\n";

  std::string list;
  for (const std::string &violation : violations)
    list += "\n  " + violation;
  EXPECT_TRUE(violations.empty()) << violations.size()
                                  << " helpers the table allows are refused by the running kernel:" << list;
}

TEST(HelperTableOracle, GplOnlyMatchesTheRunningKernel) {
  const KernelHelpers &kernel = kernelHelpers();
  if (!kernel.skipReason.empty())
    GTEST_SKIP() << kernel.skipReason;
  if ((kernel.requiresGpl | kernel.acceptsAnyLicense).none())
    GTEST_SKIP() << "no program type loads under a non-GPL license here";

  for (const HelperInfo &h : allHelpers()) {
    if (kernel.requiresGpl.test(h.id)) {
      EXPECT_TRUE(h.gplOnly) << h.name << " is GPL-restricted by the running kernel";
    } else if (kernel.acceptsAnyLicense.test(h.id)) {
      EXPECT_FALSE(h.gplOnly) << h.name << " is accepted under any license by the running kernel";
    }
  }
}
