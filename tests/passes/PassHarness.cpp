#include "tests/passes/PassHarness.h"

#include "frontend/c/CFrontend.h"
#include "ir/TargetMachine.h"
#include "passes/HelperAvailability.h"
#include "passes/OptimizePass.h"
#include "tests/support/Subprocess.h"

#include <llvm/Analysis/LoopInfo.h>
#include <llvm/AsmParser/Parser.h>
#include <llvm/IR/Dominators.h>
#include <llvm/IR/InstIterator.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/SourceMgr.h>
#include <llvm/Support/raw_ostream.h>

#include <gtest/gtest.h>

namespace ebpfc::testing {

PassHarness::~PassHarness() = default;

void PassHarness::setUp(const std::string &targetKernel) {
  diags_ = std::make_unique<CapturedDiagnostics>();
  ir::Target target = ir::Target::forKernel(*ir::KernelVersion::parse(targetKernel));
  machine_ = ir::createTargetMachine(target, options_.optLevel);
}

PassHarness PassHarness::fromC(const std::string &source, const std::string &targetKernel,
                               passes::PipelineOptions options) {
  PassHarness harness;
  harness.options_ = std::move(options);
  harness.setUp(targetKernel);
  harness.sourcePath_ = makeTempDir("pass-unit") + "/prog.c";
  writeFile(harness.sourcePath_, source);
  frontend::CFrontendOptions frontendOptions;
  frontendOptions.inputFile = harness.sourcePath_;
  frontendOptions.target = ir::Target::forKernel(*ir::KernelVersion::parse(targetKernel));
  frontendOptions.optLevel = harness.options_.optLevel;
  harness.module_ = frontend::compileC(frontendOptions, harness.diags_->engine()).module;
  EXPECT_TRUE(harness.module_) << harness.diags_->json();
  return harness;
}

PassHarness PassHarness::fromIr(const std::string &text, const std::string &targetKernel,
                                passes::PipelineOptions options) {
  PassHarness harness;
  harness.options_ = std::move(options);
  harness.setUp(targetKernel);
  harness.sourcePath_ = "input.ll";
  auto context = std::make_unique<llvm::LLVMContext>();
  llvm::SMDiagnostic error;
  std::unique_ptr<llvm::Module> module = llvm::parseAssemblyString(text, error, *context);
  if (!module) {
    std::string message;
    llvm::raw_string_ostream stream(message);
    error.print("input.ll", stream);
    ADD_FAILURE() << message;
    return harness;
  }
  ir::prepareModule(*module, *harness.machine_);
  harness.module_ = std::make_unique<ir::Module>(
      std::move(context), std::move(module), ir::Target::forKernel(*ir::KernelVersion::parse(targetKernel)),
      harness.sourcePath_);
  return harness;
}

bool PassHarness::run(passes::Pass &pass) {
  passes::PassContext context{diags_->engine(), options_, *machine_};
  return pass.run(*module_, context);
}

bool PassHarness::optimize() {
  passes::OptimizePass optimize;
  return run(optimize);
}

std::string PassHarness::printedIr() const {
  std::string text;
  llvm::raw_string_ostream stream(text);
  module_->llvm().print(stream, nullptr);
  return text;
}

unsigned PassHarness::loopCount(const std::string &function) {
  llvm::Function *f = module_->llvm().getFunction(function);
  if (!f || f->isDeclaration())
    return 0;
  llvm::DominatorTree dominators(*f);
  llvm::LoopInfo loops(dominators);
  return static_cast<unsigned>(loops.getLoopsInPreorder().size());
}

unsigned PassHarness::helperCalls(uint64_t id) {
  unsigned count = 0;
  for (llvm::Function &function : module_->llvm())
    for (llvm::Instruction &instruction : llvm::instructions(function))
      if (auto *call = llvm::dyn_cast<llvm::CallBase>(&instruction))
        if (passes::helperIdOf(*call) == id)
          ++count;
  return count;
}

} // namespace ebpfc::testing
