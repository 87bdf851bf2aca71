// Runs single ebpfc IR passes on a module built from C (the C frontend only)
// or from LLVM IR text, for the unit tests of the loop, globals, map-format
// and helper passes. Diagnostics are captured as JSON entries.
#pragma once

#include "ir/Module.h"
#include "passes/Pass.h"
#include "tests/passes/CheckHarness.h"

#include <llvm/Target/TargetMachine.h>

#include <memory>
#include <string>

namespace ebpfc::testing {

class PassHarness {
public:
  // From C source, compiled for `targetKernel` ("4.19", "6.1", ...).
  static PassHarness fromC(const std::string &source, const std::string &targetKernel = "6.1",
                           passes::PipelineOptions options = {});
  // From LLVM IR text (the BPF triple and data layout are set here).
  static PassHarness fromIr(const std::string &text, const std::string &targetKernel = "6.1",
                            passes::PipelineOptions options = {});

  PassHarness(PassHarness &&) = default;
  ~PassHarness();

  bool ok() const { return module_ != nullptr; }
  ir::Module &module() { return *module_; }
  llvm::Module &llvm() { return module_->llvm(); }
  passes::PipelineOptions &options() { return options_; }
  const std::string &sourcePath() const { return sourcePath_; }

  // Runs one pass; its result.
  bool run(passes::Pass &pass);
  // Runs "optimize" (LLVM's -O pipeline).
  bool optimize();

  std::vector<CapturedDiagnostics::Entry> diagnostics() { return diags_->entries(); }
  std::string printedIr() const;
  // Natural loops left in the function.
  unsigned loopCount(const std::string &function);
  // Calls to the helper with this id anywhere in the module.
  unsigned helperCalls(uint64_t id);

private:
  PassHarness() = default;
  void setUp(const std::string &targetKernel);

  std::unique_ptr<CapturedDiagnostics> diags_;
  std::unique_ptr<llvm::TargetMachine> machine_;
  std::unique_ptr<ir::Module> module_;
  passes::PipelineOptions options_;
  std::string sourcePath_;
};

} // namespace ebpfc::testing
