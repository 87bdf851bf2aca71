// loop-mem-expand: runs after "optimize". The BPF backend lowers
// memcpy/memmove/memset only inline, for small constant sizes; anything else
// (LLVM makes such calls from loops, LoopIdiomRecognize) stops it with "A call
// to built-in function 'memset' is not supported". This pass turns those
// calls back into loops, marked with the call's source location, so
// loop-unroll unrolls them and loop-check reports, at the call's line, those
// that can be neither unrolled nor kept as bounded loops. No such call is
// left for the backend.
#pragma once

#include "passes/Pass.h"

namespace llvm {
class MemIntrinsic;
}

namespace ebpfc::passes {

class LoopMemExpandPass : public Pass {
public:
  std::string_view name() const override { return "loop-mem-expand"; }
  std::string_view summary() const override {
    return "turns memcpy/memmove/memset calls the BPF backend cannot expand inline into loops";
  }
  bool run(ir::Module &module, PassContext &context) override;
};

// Whether the BPF backend expands the call inline: a constant size that takes
// at most 128 stores of 8 bytes (and 4-, 2-, 1-byte pieces for the tail),
// whatever the alignment, or, for memcpy, at most 128 units of its declared
// alignment. (Measured against llc-19 at the boundaries; see the unit test.)
bool bpfBackendExpandsInline(const llvm::MemIntrinsic &call);

} // namespace ebpfc::passes
