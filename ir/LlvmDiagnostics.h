// Routes diagnostics LLVM raises while optimizing or generating code (e.g.
// the BPF backend's "unsupported" errors) into ebpfc's DiagnosticEngine, with
// the source location from debug info.
#pragma once

#include "ir/Diagnostics.h"

#include <memory>

namespace llvm {
class LLVMContext;
class DiagnosticHandler;
} // namespace llvm

namespace ebpfc::ir {

// Installs the routing on `context` for the guard's lifetime.
class LlvmDiagnosticRoute {
public:
  LlvmDiagnosticRoute(llvm::LLVMContext &context, DiagnosticEngine &diags);
  ~LlvmDiagnosticRoute();
  LlvmDiagnosticRoute(const LlvmDiagnosticRoute &) = delete;
  LlvmDiagnosticRoute &operator=(const LlvmDiagnosticRoute &) = delete;

private:
  llvm::LLVMContext &context_;
  std::unique_ptr<llvm::DiagnosticHandler> previous_;
};

} // namespace ebpfc::ir
