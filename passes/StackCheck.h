// Stack size: per program, the deepest combined stack along its BPF-to-BPF
// call chains, measured on the generated object the way the verifier does
// (deepest r10-relative access per function, frames rounded up to 32 bytes,
// summed along the chain) and checked against --stack-limit (512, the
// kernel's MAX_BPF_STACK); and the depth of the chain in frames against the
// kernel's 8. The error names the program, its frames and the largest
// locals by source name and line, taken from the IR's allocas.
#pragma once

#include "passes/Pass.h"

#include <cstdint>
#include <vector>

namespace llvm {
class Module;
}

namespace ebpfc::passes {

// A local variable that lives in a function's stack frame.
struct StackLocal {
  std::string name;     // source name
  std::string function; // the function whose frame holds it
  std::string inlinedFrom; // the function it was declared in, when inlined; "" otherwise
  uint64_t bytes = 0;
  ir::SourceLocation loc; // its declaration
};

// The named locals (allocas with debug info) of the given functions, largest
// first; ties keep source order.
std::vector<StackLocal> stackLocals(const llvm::Module &module, const std::vector<std::string> &functions,
                                    const std::string &mainSource);

class StackCheck : public ObjectCheck {
public:
  std::string_view name() const override { return "stack"; }
  std::string_view summary() const override {
    return "stack per program along the BPF-to-BPF call chain, against --stack-limit";
  }
  bool run(const ir::Module &module, const std::string &object, PassContext &context) override;
};

} // namespace ebpfc::passes
