// LLVM's standard optimization pipeline for the -O level, with the BPF
// target's own IR passes (CO-RE relocations, BPF peepholes) registered by the
// target machine, configured the way clang 19 configures it so ebpfc's code
// matches clang's when no ebpfc pass changes anything.
#pragma once

#include "passes/Pass.h"

namespace ebpfc::passes {

class OptimizePass : public Pass {
public:
  std::string_view name() const override { return "optimize"; }
  std::string_view summary() const override { return "LLVM's -O pipeline with the BPF target's IR passes"; }
  bool run(ir::Module &module, PassContext &context) override;
};

} // namespace ebpfc::passes
