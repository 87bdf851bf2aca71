// loop-prepare: runs before "optimize".
//  - When a loop's trip count is not a compile-time constant, LLVM may turn
//    it into a memset/memcpy/memmove of variable size (LoopIdiomRecognize),
//    which the BPF backend cannot lower ("A call to built-in function
//    'memset' is not supported"), and which, expanded back into a loop, has
//    lost the bound the source gave it. Then every function is marked
//    "no-builtin-memcpy"/"-memmove"/"-memset" (all of them: LLVM inlines
//    only between functions that agree on these), so such loops stay loops.
//    Loops with constant trip counts may still become constant-size calls,
//    which the backend expands inline, as clang does.
//  - When every loop must be unrolled (a target kernel before 5.3, or
//    --unroll=always): drops '#pragma unroll N' (partial unrolling would
//    leave a loop behind; loop-unroll unrolls fully instead) and reports
//    '#pragma nounroll' where the target kernel cannot keep loops.
// A module whose loops all have constant trip counts (or that has none) is
// not changed, so it compiles exactly as clang compiles it.
#pragma once

#include "passes/Pass.h"

namespace ebpfc::passes {

class LoopPreparePass : public Pass {
public:
  std::string_view name() const override { return "loop-prepare"; }
  std::string_view summary() const override {
    return "before optimizing, keeps loops with variable trip counts from becoming memcpy/memset calls";
  }
  bool run(ir::Module &module, PassContext &context) override;
};

} // namespace ebpfc::passes
