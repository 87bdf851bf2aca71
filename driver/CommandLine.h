// ebpfc's command line: cc-compatible flags plus ebpfc's own options.
#pragma once

#include "driver/CompileOptions.h"

#include <optional>
#include <span>
#include <string>

namespace ebpfc::driver {

enum class Action { Compile, Help, Version };

struct CommandLine {
  Action action = Action::Compile;
  CompileOptions options;
};

// How diagnostics are to be printed, read before anything else so that
// errors in the rest of the command line already use the right format.
ir::DiagnosticFormat diagnosticFormatOf(std::span<const std::string> args);
bool colorRequested(std::span<const std::string> args, bool stderrIsTerminal);

// nullopt after reporting the problem through `diags`.
std::optional<CommandLine> parseCommandLine(std::span<const std::string> args, ir::DiagnosticEngine &diags);

std::string helpText();
std::string versionText();

} // namespace ebpfc::driver
