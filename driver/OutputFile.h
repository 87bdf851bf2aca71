// Writes an output file all at once: to a temporary file beside it, renamed
// over the target only when complete, so a failed or interrupted compile
// never leaves a partial or truncated file behind.
#pragma once

#include "ir/Diagnostics.h"

#include <string>
#include <string_view>

namespace ebpfc::driver {

// "-" writes to standard output. False after reporting why it failed.
bool writeOutputFile(const std::string &path, std::string_view contents, ir::DiagnosticEngine &diags);

// Removes temporary files of writes in progress (from a fatal-error handler).
void removeTemporaryOutputs();

} // namespace ebpfc::driver
