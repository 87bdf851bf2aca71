#include "passes/RestrictedCCalls.h"

#include "ir/SourceLocations.h"

#include <llvm/IR/Constants.h>
#include <llvm/IR/DebugInfoMetadata.h>
#include <llvm/IR/InstrTypes.h>
#include <llvm/IR/Module.h>

#include <bit>

namespace ebpfc::passes {

namespace {

// The size of a memcmp/bcmp call that the backend will not expand inline:
// nullopt when it does expand it, 0 when the size is not a constant.
std::optional<uint64_t> unexpandedCompareSize(const llvm::CallBase &call) {
  auto *size = llvm::dyn_cast<llvm::ConstantInt>(call.getArgOperand(2));
  if (!size)
    return 0;
  if (memcmpLoads(size->getZExtValue()) <= kMaxMemcmpLoads)
    return std::nullopt;
  return size->getZExtValue();
}

void report(const llvm::CallBase &call, const llvm::Function &callee, const ir::Module &module,
            PassContext &context) {
  ir::SourceLocation loc = ir::sourceLocationOf(call, module.sourceFile());
  std::vector<ir::DiagnosticNote> notes;
  // Where the code was inlined into the function that keeps the call.
  const llvm::DILocation *location = call.getDebugLoc().get();
  const llvm::DILocation *inlinedAt = location ? location->getInlinedAt() : nullptr;
  while (inlinedAt && inlinedAt->getInlinedAt())
    inlinedAt = inlinedAt->getInlinedAt();
  if (inlinedAt)
    notes.push_back({ir::sourceLocationOf(inlinedAt, module.sourceFile()),
                     "inlined into '" + call.getFunction()->getName().str() + "' here"});

  std::string name = callee.getName().str();
  if ((name == "memcmp" || name == "bcmp") && call.arg_size() == 3) {
    // LLVM turns memcmp compared with 0 into bcmp; the source says memcmp.
    uint64_t size = *unexpandedCompareSize(call);
    std::string message;
    if (size == 0) {
      message = "call to 'memcmp' with a size that is not a compile-time constant";
      notes.push_back({{}, "eBPF cannot call memcmp at run time; the compiler expands it into loads and compares, "
                           "which needs a constant size: use a constant (maximum) size, or a bounded loop"});
    } else {
      message = "call to 'memcmp' of " + std::to_string(size) + " bytes, which needs " +
                std::to_string(memcmpLoads(size)) + " loads; the BPF backend expands at most " +
                std::to_string(kMaxMemcmpLoads);
      notes.push_back({{}, "compare in several calls of at most 1024 bytes, or with a bounded loop"});
    }
    context.diags.error(loc, message, std::move(notes));
    return;
  }
  notes.push_back({{}, "a BPF program can call only functions defined in the same file, BPF helpers, and kernel "
                       "functions declared 'extern ... __ksym'"});
  context.diags.error(loc, "call to '" + name + "', which is not defined in this file", std::move(notes));
}

} // namespace

uint64_t memcmpLoads(uint64_t size) { return size / 8 + std::popcount(size % 8); }

bool RestrictedCCallsPass::run(ir::Module &module, PassContext &context) {
  bool ok = true;
  for (const llvm::Function &function : module.llvm()) {
    if (function.isDeclaration())
      continue;
    for (const llvm::BasicBlock &block : function)
      for (const llvm::Instruction &instruction : block) {
        const auto *call = llvm::dyn_cast<llvm::CallBase>(&instruction);
        const llvm::Function *callee = call ? call->getCalledFunction() : nullptr;
        if (!callee || !callee->isDeclaration() || callee->isIntrinsic() || callee->getSection() == ".ksyms")
          continue;
        if ((callee->getName() == "memcmp" || callee->getName() == "bcmp") && call->arg_size() == 3 &&
            !unexpandedCompareSize(*call))
          continue;
        report(*call, *callee, module, context);
        ok = false;
      }
  }
  return ok;
}

} // namespace ebpfc::passes
