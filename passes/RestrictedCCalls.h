// restricted-c-calls: the restricted-C rule on calls, checked again on the
// IR after the other passes, for what only inlining and optimization
// decide. A call to a function without a body that is still there (memcmp
// whose size did not become a constant, a library call LLVM introduced)
// would compile into an object that references an undefined symbol, which
// no loader can resolve; this pass reports it at the call's source line.
// BPF helpers (calls to constant addresses), kfuncs (section .ksyms) and
// LLVM intrinsics are calls eBPF can make.
#pragma once

#include "passes/Pass.h"

namespace ebpfc::passes {

class RestrictedCCallsPass : public Pass {
public:
  std::string_view name() const override { return "restricted-c-calls"; }
  std::string_view summary() const override {
    return "reports calls left to functions without a body (e.g. memcmp of a variable size)";
  }
  bool run(ir::Module &module, PassContext &context) override;
};

// Loads the BPF backend needs to compare `size` bytes inline (LLVM's
// ExpandMemCmp with load sizes 8, 4, 2 and 1), which it does up to 128.
uint64_t memcmpLoads(uint64_t size);
inline constexpr uint64_t kMaxMemcmpLoads = 128;

} // namespace ebpfc::passes
