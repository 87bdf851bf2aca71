// Symbolic program return values in suites: "XDP_DROP" reads better in a
// review than 1. Numbers are accepted too.
#pragma once

#include "suites/ContextFields.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ebpfc::suites {

// XDP_ABORTED..XDP_REDIRECT and TC_ACT_UNSPEC..TC_ACT_TRAP; the value is
// what BPF_PROG_TEST_RUN reports (TC_ACT_UNSPEC, -1, is 0xffffffff).
std::optional<uint32_t> returnValueByName(std::string_view name);
// The symbolic name of `value` for programs of this context kind, if it has
// one ("XDP_PASS" for 2 under Xdp, "TC_ACT_SHOT" for 2 under Skb).
std::optional<std::string_view> returnValueName(ContextKind kind, uint32_t value);
// "XDP_PASS (2)" or "7"
std::string describeReturnValue(ContextKind kind, uint32_t value);

} // namespace ebpfc::suites
