#include "passes/OptimizePass.h"

#include "ir/LlvmDiagnostics.h"
#include "ir/TargetMachine.h"

#include <llvm/Analysis/TargetLibraryInfo.h>
#include <llvm/IR/DebugInfo.h>
#include <llvm/IR/Module.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Passes/StandardInstrumentations.h>
#include <llvm/Target/TargetMachine.h>

namespace ebpfc::passes {

namespace {
llvm::OptimizationLevel levelFor(const PipelineOptions &options) {
  switch (options.optLevel) {
  case 0: return llvm::OptimizationLevel::O0;
  case 1: return llvm::OptimizationLevel::O1;
  case 3: return llvm::OptimizationLevel::O3;
  default:
    if (options.sizeLevel == 1) return llvm::OptimizationLevel::Os;
    if (options.sizeLevel == 2) return llvm::OptimizationLevel::Oz;
    return llvm::OptimizationLevel::O2;
  }
}
} // namespace

bool OptimizePass::run(ir::Module &module, PassContext &context) {
  ir::LlvmDiagnosticRoute route(module.context(), context.diags);
  ir::prepareModule(module.llvm(), context.machine);
  const PipelineOptions &options = context.options;

  // The tuning clang's driver chooses per -O level (-funroll-loops from -O2,
  // loop vectorization at -O2/-O3/-Os, SLP vectorization from -O2 and -Oz).
  bool fromO2 = options.optLevel >= 2;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopUnrolling = fromO2;
  tuning.LoopInterleaving = fromO2;
  tuning.LoopVectorization = fromO2 && options.sizeLevel < 2;
  tuning.SLPVectorization = fromO2;
  tuning.MergeFunctions = false;
  tuning.CallGraphProfile = true;

  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager sccs;
  llvm::ModuleAnalysisManager modules;
  llvm::PassInstrumentationCallbacks instrumentation;
  llvm::StandardInstrumentations standard(module.context(), /*DebugLogging=*/false);
  standard.registerCallbacks(instrumentation, &modules);
  // The constructor registers the target's passes (TargetMachine::registerPassBuilderCallbacks).
  llvm::PassBuilder builder(&context.machine, tuning, std::nullopt, &instrumentation);
  // clang 19 tracks variable assignments for better debug info when optimizing.
  builder.registerPipelineStartEPCallback([](llvm::ModulePassManager &pipeline, llvm::OptimizationLevel level) {
    if (level != llvm::OptimizationLevel::O0)
      pipeline.addPass(llvm::AssignmentTrackingPass());
  });

  llvm::TargetLibraryInfoImpl libraryInfo(llvm::Triple(module.llvm().getTargetTriple()));
  functions.registerPass([&] { return llvm::TargetLibraryAnalysis(libraryInfo); });
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(sccs);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, sccs, modules);

  llvm::ModulePassManager pipeline = builder.buildPerModuleDefaultPipeline(levelFor(options));
  pipeline.run(module.llvm(), modules);
  module.optimized = true;
  return !context.diags.hasErrors();
}

} // namespace ebpfc::passes
