#include "ir/TargetMachine.h"

#include <llvm/IR/Module.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Target/TargetOptions.h>

#include <mutex>
#include <stdexcept>

namespace ebpfc::ir {

namespace {
void initializeBpfTarget() {
  static std::once_flag once;
  std::call_once(once, [] {
    LLVMInitializeBPFTargetInfo();
    LLVMInitializeBPFTarget();
    LLVMInitializeBPFTargetMC();
    LLVMInitializeBPFAsmPrinter();
    LLVMInitializeBPFAsmParser();
    LLVMInitializeBPFDisassembler();
  });
}

llvm::CodeGenOptLevel codegenLevel(unsigned optLevel) {
  switch (optLevel) {
  case 0: return llvm::CodeGenOptLevel::None;
  case 1: return llvm::CodeGenOptLevel::Less;
  case 3: return llvm::CodeGenOptLevel::Aggressive;
  default: return llvm::CodeGenOptLevel::Default;
  }
}
} // namespace

std::unique_ptr<llvm::TargetMachine> createTargetMachine(const Target &target, unsigned optLevel) {
  initializeBpfTarget();
  std::string error;
  const llvm::Target *bpf = llvm::TargetRegistry::lookupTarget(kBpfTriple, error);
  if (!bpf)
    throw std::logic_error("LLVM was built without the BPF target: " + error);
  // The options clang uses for `-target bpf` (see `clang -### -target bpf`),
  // so objects match clang's byte for byte.
  llvm::TargetOptions options;
  options.UseInitArray = true;
  options.EmitAddrsig = true;
  options.DebuggerTuning = llvm::DebuggerKind::GDB;
  options.MCOptions.AsmVerbose = true;
  options.MCOptions.PreserveAsmComments = true;
  std::unique_ptr<llvm::TargetMachine> machine(bpf->createTargetMachine(
      kBpfTriple, std::string(isaName(target.isa)), "", options, llvm::Reloc::Static, std::nullopt,
      codegenLevel(optLevel)));
  return machine;
}

void prepareModule(llvm::Module &module, const llvm::TargetMachine &machine) {
  module.setTargetTriple(machine.getTargetTriple().str());
  module.setDataLayout(machine.createDataLayout());
}

} // namespace ebpfc::ir
