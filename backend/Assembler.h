// Assembles LLVM-syntax BPF assembly (.s) into an ELF object through LLVM MC.
#pragma once

#include "ir/Diagnostics.h"
#include "ir/Target.h"

#include <optional>
#include <string>

namespace ebpfc::backend {

// `path` names the source in diagnostics; `text` is its contents.
std::optional<std::string> assemble(const std::string &path, const std::string &text,
                                    const ir::Target &target, ir::DiagnosticEngine &diags);

} // namespace ebpfc::backend
