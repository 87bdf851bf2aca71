// loop-check: runs after loop-unroll and reports, at the loop's source line,
// every loop the target cannot take:
//  - kernels before 5.3 (no bounded loops): every loop that is left, with
//    the reason it could not be unrolled (trip count not a constant, too
//    large for the instruction limit, -O0);
//  - kernels from 5.3: loops without a provable bound (an error), and loops
//    whose bound is so large that checking them exceeds the verifier's
//    instruction limit (a warning: the bound may be a .rodata constant the
//    verifier knows); with --unroll=always, a warning for each loop kept
//    instead of unrolled.
// It never changes the module: it analyses copies of the functions.
#pragma once

#include "passes/Pass.h"

namespace ebpfc::passes {

class LoopCheckPass : public Pass {
public:
  std::string_view name() const override { return "loop-check"; }
  std::string_view summary() const override {
    return "reports loops the target kernel cannot run: not unrollable before 5.3, unbounded from 5.3";
  }
  bool run(ir::Module &module, PassContext &context) override;
};

} // namespace ebpfc::passes
