// Argument handling shared by the subcommands: `--name=value`, `--flag`,
// `-o FILE`, positional arguments, and reading input files.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ebpfc::ebpfvm {

class CommandLine {
public:
  // `valueOptions` take a value (`--engine=interp` or `--engine interp`, `-o FILE`).
  CommandLine(std::span<const std::string> args, std::vector<std::string> valueOptions,
              std::vector<std::string> flagOptions);

  bool ok() const { return error_.empty(); }
  const std::string &error() const { return error_; }
  bool has(const std::string &name) const;
  std::optional<std::string> value(const std::string &name) const;
  // Every value of a repeatable option, in command-line order.
  std::vector<std::string> values(const std::string &name) const;
  const std::vector<std::string> &positional() const { return positional_; }

private:
  std::vector<std::pair<std::string, std::string>> values_;
  std::vector<std::string> flags_;
  std::vector<std::string> positional_;
  std::string error_;
};

// The file's bytes ("-" reads standard input); nullopt with `error`.
std::optional<std::string> readInput(const std::string &path, std::string &error);

// Prints "ebpfvm <command>: error: <message>" to stderr and returns 2 (usage errors) or 1.
int reportError(std::string_view command, const std::string &message, int status = 1);

} // namespace ebpfc::ebpfvm
