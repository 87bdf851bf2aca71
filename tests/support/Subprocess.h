// Runs a command for end-to-end tests and captures what it printed.
#pragma once

#include <string>
#include <vector>

namespace ebpfc::testing {

struct CommandResult {
  int exitCode = -1; // -1 when the command could not be started or was killed
  std::string out;   // standard output
  std::string err;   // standard error
};

// argv[0] is the program (a path or a name looked up in PATH).
CommandResult runCommand(const std::vector<std::string> &argv, const std::string &workingDirectory = "");

// Reads a whole file; "" when it cannot be read.
std::string readFile(const std::string &path);
void writeFile(const std::string &path, const std::string &contents);
bool fileExists(const std::string &path);

// A fresh empty directory under the test temporary directory.
std::string makeTempDir(const std::string &name);

} // namespace ebpfc::testing
