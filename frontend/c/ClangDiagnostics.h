// Routes clang's diagnostics into ebpfc's DiagnosticEngine (JSON output), or
// prints them with clang's own renderer (text output, exactly as clang does).
#pragma once

#include "ir/Diagnostics.h"

#include <clang/Basic/Diagnostic.h>

#include <memory>

namespace ebpfc::frontend {

std::unique_ptr<clang::DiagnosticConsumer> createDiagnosticConsumer(ir::DiagnosticEngine &diags,
                                                                    clang::DiagnosticOptions &options);

} // namespace ebpfc::frontend
