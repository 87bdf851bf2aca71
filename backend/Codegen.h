// Code generation: ir::Module -> eBPF ELF object or assembly text through
// LLVM's BPF target and MC layer.
#pragma once

#include "ir/Diagnostics.h"
#include "ir/Module.h"

#include <optional>
#include <string>

namespace llvm {
class TargetMachine;
}

namespace ebpfc::backend {

enum class OutputKind { Object, Assembly };

struct CodegenOptions {
  // Keep DWARF (.debug_*) in the object (-g). BTF and .BTF.ext are always
  // emitted: libbpf needs BTF to create .maps and global-data maps.
  bool keepDwarf = true;
  // Interleave the C source lines as comments in assembly output (-S -g).
  bool sourceComments = false;
};

// The object file bytes or the assembly text; nullopt after reporting an error.
std::optional<std::string> generate(ir::Module &module, llvm::TargetMachine &machine, OutputKind kind,
                                    const CodegenOptions &options, ir::DiagnosticEngine &diags);

} // namespace ebpfc::backend
