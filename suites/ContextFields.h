// The context fields a suite case may set before a run ("context") and check
// after it ("expect": {"context"}), by their C names in struct xdp_md and
// struct __sk_buff. These are the fields BPF_PROG_TEST_RUN accepts as input
// and reports back; every engine uses the same UAPI offsets.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace ebpfc::suites {

enum class ContextKind {
  Xdp, // struct xdp_md: XDP programs
  Skb, // struct __sk_buff: tc, socket filter, cgroup skb, lwt programs
};

struct ContextField {
  std::string_view name; // "mark", "ingress_ifindex", "cb0".."cb4"
  ContextKind kind;
  uint32_t offset;
  uint32_t size; // 4 or 8 bytes
  // Whether programs may write the field (the verifier rejects stores to the
  // others); only these can be a program's doing when they change in a run.
  bool writableByProgram;
};

std::span<const ContextField> contextFields();
const ContextField *findContextField(ContextKind kind, std::string_view name);
// Whether any context kind has a field of this name (what a suite file can
// be checked against before the program's type is known).
bool isContextFieldName(std::string_view name);
std::string_view contextKindName(ContextKind kind); // "xdp_md", "__sk_buff"

} // namespace ebpfc::suites
