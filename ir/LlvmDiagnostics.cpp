#include "ir/LlvmDiagnostics.h"

#include <llvm/IR/DiagnosticHandler.h>
#include <llvm/IR/DiagnosticInfo.h>
#include <llvm/IR/DiagnosticPrinter.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/Support/raw_ostream.h>

namespace ebpfc::ir {

namespace {

class Router : public llvm::DiagnosticHandler {
public:
  explicit Router(DiagnosticEngine &diags) : diags_(diags) {}

  bool handleDiagnostics(const llvm::DiagnosticInfo &info) override {
    // Optimization remarks are not for users of ebpfc.
    if (info.getSeverity() == llvm::DS_Remark || info.getSeverity() == llvm::DS_Note)
      return true;
    Diagnostic d;
    d.severity = info.getSeverity() == llvm::DS_Warning ? Severity::Warning : Severity::Error;
    // The BPF backend reports everything it cannot compile as "unsupported";
    // print its message without LLVM's "<unknown>:0:0" prefix and point at
    // the source line it carries.
    if (auto *unsupported = llvm::dyn_cast<llvm::DiagnosticInfoUnsupported>(&info)) {
      // A frame over 512 bytes: code generation goes on, and ebpfc's stack
      // check (passes/StackCheck) reports it on the object with the program,
      // its call chain and its largest locals instead of this vague message.
      if (unsupported->getMessage().str().starts_with("Looks like the BPF stack limit"))
        return true;
      d.message = unsupported->getMessage().str();
      if (unsupported->isLocationAvailable()) {
        llvm::DiagnosticLocation loc = unsupported->getLocation();
        d.loc = {loc.getRelativePath().str(), loc.getLine(), loc.getColumn()};
      }
      d.notes.push_back({{}, "in function '" + unsupported->getFunction().getName().str() + "'"});
    } else {
      llvm::raw_string_ostream stream(d.message);
      llvm::DiagnosticPrinterRawOStream printer(stream);
      info.print(printer);
      stream.flush();
    }
    diags_.report(std::move(d));
    return true;
  }

private:
  DiagnosticEngine &diags_;
};

} // namespace

LlvmDiagnosticRoute::LlvmDiagnosticRoute(llvm::LLVMContext &context, DiagnosticEngine &diags)
    : context_(context), previous_(context.getDiagnosticHandler()) {
  context_.setDiagnosticHandler(std::make_unique<Router>(diags));
}

LlvmDiagnosticRoute::~LlvmDiagnosticRoute() { context_.setDiagnosticHandler(std::move(previous_)); }

} // namespace ebpfc::ir
