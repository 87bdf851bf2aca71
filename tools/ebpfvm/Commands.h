// The subcommands of ebpfvm: one function per subcommand (each in its own
// file), listed in one table (Commands.cpp). A subcommand gets its
// arguments after the subcommand name and returns the exit status.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace ebpfc::ebpfvm {

using CommandFunction = int (*)(std::span<const std::string> args);

struct Command {
  std::string_view name;
  std::string_view usage;   // arguments, for --help
  std::string_view summary; // one line
  CommandFunction run;
};

std::span<const Command> commands();

int asmCommand(std::span<const std::string> args);
int benchCommand(std::span<const std::string> args);
int disasmCommand(std::span<const std::string> args);
int conformanceCommand(std::span<const std::string> args);
int runCommand(std::span<const std::string> args);
int testCommand(std::span<const std::string> args);

} // namespace ebpfc::ebpfvm
