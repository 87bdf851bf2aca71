// loop-unroll: runs after "optimize" (and loop-mem-expand) when every loop
// must be unrolled: a target kernel before 5.3, or --unroll=always.
//
// It decides on the optimized module, where inlining and simplification have
// already made trip counts visible: a loop with a constant trip count gets
// llvm.loop.unroll.full, a loop with only a constant upper bound (e.g.
// `i < n && i < 64`) gets llvm.loop.unroll.count with that bound (each copy
// keeps its exit test), as long as the unrolled loop fits the target's
// instruction limit. Then LLVM's function simplification pipeline runs on
// those functions: its LoopFullUnrollPass does the unrolling, SROA, GVN and
// InstCombine clean up after it. Loops it leaves (no bound, too large) are
// loop-check's to report.
#pragma once

#include "passes/Pass.h"

namespace ebpfc::passes {

class LoopUnrollPass : public Pass {
public:
  std::string_view name() const override { return "loop-unroll"; }
  std::string_view summary() const override {
    return "fully unrolls loops for kernels without bounded loops (before 5.3) or with --unroll=always";
  }
  bool run(ir::Module &module, PassContext &context) override;
};

} // namespace ebpfc::passes
