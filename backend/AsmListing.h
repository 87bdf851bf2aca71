// Interleaves C source lines into LLVM's BPF assembly output (-S -g), so a
// listing shows which statement produced which instructions.
#pragma once

#include "ir/Diagnostics.h"

#include <string>

namespace ebpfc::backend {

// Adds, after each `.loc` directive that moves to a new source line, a
// comment with that line's text. The result still assembles.
std::string annotateWithSource(const std::string &assembly, ir::DiagnosticEngine &diags);

} // namespace ebpfc::backend
