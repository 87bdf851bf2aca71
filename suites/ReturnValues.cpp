#include "suites/ReturnValues.h"

namespace ebpfc::suites {
namespace {

struct NamedReturnValue {
  std::string_view name;
  ContextKind kind;
  uint32_t value;
};

const NamedReturnValue kNames[] = {
    {"XDP_ABORTED", ContextKind::Xdp, 0},       {"XDP_DROP", ContextKind::Xdp, 1},
    {"XDP_PASS", ContextKind::Xdp, 2},          {"XDP_TX", ContextKind::Xdp, 3},
    {"XDP_REDIRECT", ContextKind::Xdp, 4},      {"TC_ACT_UNSPEC", ContextKind::Skb, 0xffffffffu},
    {"TC_ACT_OK", ContextKind::Skb, 0},         {"TC_ACT_RECLASSIFY", ContextKind::Skb, 1},
    {"TC_ACT_SHOT", ContextKind::Skb, 2},       {"TC_ACT_PIPE", ContextKind::Skb, 3},
    {"TC_ACT_STOLEN", ContextKind::Skb, 4},     {"TC_ACT_QUEUED", ContextKind::Skb, 5},
    {"TC_ACT_REPEAT", ContextKind::Skb, 6},     {"TC_ACT_REDIRECT", ContextKind::Skb, 7},
    {"TC_ACT_TRAP", ContextKind::Skb, 8},
};

} // namespace

std::optional<uint32_t> returnValueByName(std::string_view name) {
  for (const NamedReturnValue &named : kNames)
    if (named.name == name)
      return named.value;
  return std::nullopt;
}

std::optional<std::string_view> returnValueName(ContextKind kind, uint32_t value) {
  for (const NamedReturnValue &named : kNames)
    if (named.kind == kind && named.value == value)
      return named.name;
  return std::nullopt;
}

std::string describeReturnValue(ContextKind kind, uint32_t value) {
  if (auto name = returnValueName(kind, value))
    return std::string(*name) + " (" + std::to_string(int32_t(value)) + ")";
  return std::to_string(value);
}

} // namespace ebpfc::suites
