#include "passes/LoopPrepare.h"

#include "ir/SourceLocations.h"
#include "passes/LoopFacts.h"

#include <llvm/Analysis/LoopInfo.h>
#include <llvm/Analysis/ScalarEvolutionExpressions.h>
#include <llvm/IR/Dominators.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/Module.h>
#include <llvm/Transforms/Utils/Cloning.h>
#include <llvm/Transforms/Utils/LoopUtils.h>

namespace ebpfc::passes {

namespace {

// The library functions LLVM may otherwise introduce for loops; the BPF
// backend can only expand calls to them inline when their size is a small
// constant.
constexpr const char *kNoBuiltinAttributes[] = {"no-builtin-memcpy", "no-builtin-memmove", "no-builtin-memset"};

// Whether a loop of the function runs a number of times that is not a
// compile-time constant. Clang's unoptimized code keeps induction variables
// in stack slots, so a copy of the function gets them promoted to registers
// first, where ScalarEvolution can follow them.
bool hasVariableTripCount(llvm::Function &function, llvm::TargetMachine &machine) {
  {
    llvm::DominatorTree dominators(function);
    llvm::LoopInfo loops(dominators);
    if (loops.empty())
      return false;
  }
  llvm::ValueToValueMapTy mapping;
  llvm::Function *copy = llvm::CloneFunction(&function, mapping);
  bool variable = false;
  {
    promoteStackSlots(*copy);
    FunctionLoopAnalyses analyses(*copy, machine);
    for (llvm::Loop *loop : analyses.loops().getLoopsInPreorder())
      if (!llvm::isa<llvm::SCEVConstant>(analyses.scalarEvolution().getBackedgeTakenCount(loop)))
        variable = true;
  }
  copy->eraseFromParent();
  return variable;
}

} // namespace

bool LoopPreparePass::run(ir::Module &module, PassContext &context) {
  const ir::Target &target = module.target;
  std::vector<llvm::Function *> functions;
  for (llvm::Function &function : module.llvm())
    if (!function.isDeclaration())
      functions.push_back(&function);

  if (std::any_of(functions.begin(), functions.end(),
                  [&](llvm::Function *f) { return hasVariableTripCount(*f, context.machine); }))
    for (llvm::Function *function : functions)
      for (const char *attribute : kNoBuiltinAttributes)
        function->addFnAttr(attribute);

  if (!loopsMustBeUnrolled(target, context.options))
    return true;
  bool ok = true;
  for (llvm::Function *function : functions) {
    llvm::DominatorTree dominators(*function);
    llvm::LoopInfo loops(dominators);
    for (llvm::Loop *loop : loops.getLoopsInPreorder()) {
      if (llvm::hasUnrollTransformation(loop) == llvm::TM_SuppressedByUser) {
        if (target.boundedLoops)
          continue; // --unroll=always respects an explicit '#pragma nounroll'
        context.diags.error(
            ir::sourceLocationOf(loop->getStartLoc().get(), module.sourceFile()),
            "loop is marked '#pragma nounroll', but kernel " + target.kernel.str() + " accepts no loops",
            {{{}, "programs for kernels before 5.3 cannot contain loops, so ebpfc unrolls every loop"},
             {{}, "remove the pragma, or pass --target-kernel=5.3 or later to keep the loop"}});
        ok = false;
        continue;
      }
      if (llvm::MDNode *id = loop->getLoopID(); id && llvm::findOptionMDForLoopID(id, "llvm.loop.unroll.count"))
        loop->setLoopID(llvm::makePostTransformationMetadata(module.context(), id, {"llvm.loop.unroll.count"}, {}));
    }
  }
  return ok;
}

} // namespace ebpfc::passes
