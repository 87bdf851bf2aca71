// Runs one ebpfc compilation: frontend -> pass pipeline -> backend, then
// writes the output and the depfile. The tools/ebpfc main is a thin layer
// over this.
#pragma once

#include "driver/CompileOptions.h"

namespace ebpfc::driver {

// Compiles every input; false when any error was reported. Nothing is
// written for an input that failed.
bool compile(const CompileOptions &options, ir::DiagnosticEngine &diags);

// Where the output for `input` goes when -o is not given ("dir/x.c" -> "x.o").
std::string defaultOutputPath(const std::string &input, EmitKind emit);

} // namespace ebpfc::driver
