// Removes DWARF (.debug_* sections and their relocations) from an object
// while keeping .BTF and .BTF.ext, like `llvm-strip -g`.
#pragma once

#include "ir/Diagnostics.h"

#include <optional>
#include <string>

namespace ebpfc::backend {

std::optional<std::string> stripDwarf(const std::string &object, ir::DiagnosticEngine &diags);

} // namespace ebpfc::backend
