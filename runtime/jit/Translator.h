// eBPF bytecode -> LLVM IR: one LLVM function per eBPF function (see
// ProgramShape.h), registers as allocas that mem2reg turns into SSA values,
// and calls into JitRuntime.h for helpers, tail calls, faults and memory
// that inline code does not settle.
//
// Two variants from one translator:
//  - checked: the interpreter's checked mode compiled in. Frames live in
//    the run state's stack (512 bytes per depth, like the interpreter's), so
//    stack faults read the same; every access that is not r10 + a constant
//    inside the frame is checked against the run's region cache inline and
//    against every region in the runtime on a miss; taken backward jumps
//    charge the instruction budget, so endless loops end in a fault.
//  - unchecked, for trusted (verifier-accepted) programs: each function's
//    frame is its own 512-byte alloca (which LLVM may promote to registers),
//    memory accesses are plain loads and stores except those that may reach
//    a context accessor (ContextProvenance.h), and there is no budget.
#pragma once

#include "runtime/jit/ProgramShape.h"

#include <memory>
#include <string>

namespace llvm {
class DataLayout;
class LLVMContext;
class Module;
class Triple;
} // namespace llvm

namespace ebpfc::runtime::jit {

struct TranslationRequest {
  const ProgramImage &image;
  const CheckedProgram &checked;
  const ConstantPlan &constants;
  bool checkedMode = false;
  // No access can reach a context served by an accessor (trusted code only).
  bool contextIsPlainMemory = false;
  // Function symbols are prefix + entry slot (functionSymbol), unique per
  // compiled program so that many can share one JIT.
  std::string symbolPrefix;
};

std::string functionSymbol(const std::string &prefix, uint32_t entry);

std::unique_ptr<llvm::Module> translateProgram(const TranslationRequest &request, llvm::LLVMContext &context,
                                               const llvm::DataLayout &layout, const llvm::Triple &triple);

} // namespace ebpfc::runtime::jit
