// ebpfvm: user-space runtime for eBPF programs. Dispatches to the
// subcommands listed in Commands.cpp.
#include "tools/ebpfvm/Commands.h"

#include <cstdio>
#include <string>
#include <vector>

namespace {

void printHelp() {
  std::printf("usage: ebpfvm <command> [arguments]\n\ncommands:\n");
  for (const ebpfc::ebpfvm::Command &command : ebpfc::ebpfvm::commands())
    std::printf("  %-12.*s %.*s\n", int(command.name.size()), command.name.data(), int(command.summary.size()),
                command.summary.data());
  std::printf("\n'ebpfvm <command> --help' shows the arguments of a command.\n"
              "  --help      this text\n  --version   the version\n");
}

} // namespace

int main(int argc, char **argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    printHelp();
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    std::printf("ebpfvm %s\n", EBPFC_VERSION);
    return 0;
  }
  for (const ebpfc::ebpfvm::Command &command : ebpfc::ebpfvm::commands()) {
    if (command.name != args[0])
      continue;
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (!rest.empty() && (rest[0] == "--help" || rest[0] == "-h")) {
      std::printf("usage: ebpfvm %.*s %.*s\n  %.*s\n", int(command.name.size()), command.name.data(),
                  int(command.usage.size()), command.usage.data(), int(command.summary.size()),
                  command.summary.data());
      return 0;
    }
    return command.run(rest);
  }
  std::fprintf(stderr, "ebpfvm: error: unknown command '%s' (see ebpfvm --help)\n", args[0].c_str());
  return 2;
}
