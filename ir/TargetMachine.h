// The LLVM BPF target machine for an ir::Target, shared by the optimization
// pipeline (its IR passes, e.g. CO-RE relocation, register through it) and
// code generation, so both see the same CPU and options.
#pragma once

#include "ir/Target.h"

#include <memory>

namespace llvm {
class TargetMachine;
class Module;
} // namespace llvm

namespace ebpfc::ir {

// The triple ebpfc compiles for: little-endian BPF, like `clang -target bpf`
// on a little-endian host.
inline constexpr const char *kBpfTriple = "bpfel";

// optLevel 0..3 as in -O0..-O3. Never null: the BPF target is linked in.
std::unique_ptr<llvm::TargetMachine> createTargetMachine(const Target &target, unsigned optLevel);

// Sets the module's triple and data layout for the machine.
void prepareModule(llvm::Module &module, const llvm::TargetMachine &machine);

} // namespace ebpfc::ir
