#include "passes/LoopUnroll.h"

#include "ir/LlvmDiagnostics.h"
#include "passes/LoopFacts.h"

#include <llvm/Analysis/TargetLibraryInfo.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/Module.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Transforms/Utils/LoopUtils.h>

#include <limits>

namespace ebpfc::passes {

namespace {

// The unroll request for a loop, replacing any unroll options it had.
void requestUnroll(llvm::Loop &loop, const LoopFacts &facts, llvm::LLVMContext &context) {
  llvm::SmallVector<llvm::Metadata *, 2> option;
  if (facts.exactTripCount) {
    option.push_back(llvm::MDString::get(context, "llvm.loop.unroll.full"));
  } else {
    option.push_back(llvm::MDString::get(context, "llvm.loop.unroll.count"));
    option.push_back(llvm::ConstantAsMetadata::get(
        llvm::ConstantInt::get(llvm::Type::getInt32Ty(context), *facts.maxTripCount)));
  }
  llvm::MDNode *request = llvm::MDNode::get(context, option);
  loop.setLoopID(llvm::makePostTransformationMetadata(context, loop.getLoopID(), {"llvm.loop.unroll."}, {request}));
}

bool shouldUnroll(const LoopFacts &facts, const ir::Target &target) {
  // --unroll=always keeps a loop the user marked '#pragma nounroll' (loop-prepare
  // has already rejected the pragma where loops cannot be kept).
  if (facts.userNoUnroll && target.boundedLoops)
    return false;
  if (!facts.exactTripCount && (!facts.maxTripCount || *facts.maxTripCount > std::numeric_limits<uint32_t>::max()))
    return false;
  std::optional<uint64_t> cost = facts.unrolledCost();
  return cost && *cost <= target.insnLimit;
}

llvm::OptimizationLevel simplificationLevel(const PipelineOptions &options) {
  if (options.optLevel == 1) return llvm::OptimizationLevel::O1;
  if (options.optLevel >= 3) return llvm::OptimizationLevel::O3;
  if (options.sizeLevel == 1) return llvm::OptimizationLevel::Os;
  if (options.sizeLevel == 2) return llvm::OptimizationLevel::Oz;
  return llvm::OptimizationLevel::O2;
}

} // namespace

bool LoopUnrollPass::run(ir::Module &module, PassContext &context) {
  const ir::Target &target = module.target;
  // At -O0 functions are optnone: LLVM unrolls nothing, loop-check reports.
  if (!loopsMustBeUnrolled(target, context.options) || context.options.optLevel == 0)
    return true;

  std::vector<llvm::Function *> unrolling;
  for (llvm::Function &function : module.llvm()) {
    if (function.isDeclaration())
      continue;
    FunctionLoopAnalyses analyses(function, context.machine);
    LoopFactsBuilder facts(analyses.scalarEvolution(), analyses.costModel(), module.sourceFile());
    bool requested = false;
    for (llvm::Loop *loop : analyses.loops().getLoopsInPreorder()) {
      const LoopFacts &loopFacts = facts.factsOf(*loop);
      if (shouldUnroll(loopFacts, target)) {
        requestUnroll(*loop, loopFacts, module.context());
        requested = true;
      }
    }
    if (requested)
      unrolling.push_back(&function);
  }
  if (unrolling.empty())
    return true;

  ir::LlvmDiagnosticRoute route(module.context(), context.diags);
  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager sccs;
  llvm::ModuleAnalysisManager modules;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopUnrolling = true;
  llvm::PassBuilder builder(&context.machine, tuning);
  llvm::TargetLibraryInfoImpl libraryInfo(llvm::Triple(module.llvm().getTargetTriple()));
  functions.registerPass([&] { return llvm::TargetLibraryAnalysis(libraryInfo); });
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(sccs);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, sccs, modules);
  // The module proxy must exist before function passes ask for it.
  modules.getResult<llvm::FunctionAnalysisManagerModuleProxy>(module.llvm());

  llvm::FunctionPassManager simplification = builder.buildFunctionSimplificationPipeline(
      simplificationLevel(context.options), llvm::ThinOrFullLTOPhase::None);
  for (llvm::Function *function : unrolling)
    simplification.run(*function, functions);
  return !context.diags.hasErrors();
}

} // namespace ebpfc::passes
