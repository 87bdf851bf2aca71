// ebpfvm conformance PATH... : runs bpf_conformance vectors on an engine and
// ends with "N passed, M failed".
#include "runtime/vm/conformance/ConformanceSuite.h"
#include "tools/ebpfvm/CommandLine.h"
#include "tools/ebpfvm/Commands.h"

#include <fmt/format.h>

#include <cstdio>

namespace ebpfc::ebpfvm {

int conformanceCommand(std::span<const std::string> args) {
  using namespace ebpfc::runtime;
  const CommandLine line(args, {"--engine"}, {"--checked", "--verbose"});
  if (!line.ok())
    return reportError("conformance", line.error(), 2);
  if (line.positional().empty())
    return reportError("conformance", "name the .data files or directories to run", 2);

  EngineOptions options;
  options.checked = line.has("--checked");
  options.contextIsPlainMemory = true; // the vectors' memory is plain, at r1
  std::string error;
  const std::unique_ptr<Engine> engine = createEngine(line.value("--engine").value_or("interp"), options, error);
  if (!engine)
    return reportError("conformance", error, 2);

  std::vector<std::filesystem::path> files;
  if (!collectConformanceFiles(line.positional(), files, error))
    return reportError("conformance", error, 2);

  size_t passed = 0, failed = 0;
  for (const std::filesystem::path &file : files) {
    const ConformanceOutcome outcome = runConformanceFile(file, *engine);
    if (outcome.passed) {
      ++passed;
      if (line.has("--verbose"))
        fmt::print("PASS {}\n", outcome.path);
      continue;
    }
    ++failed;
    if (outcome.actual)
      fmt::print("FAIL {}: expected {:#x}, got {:#x}\n", outcome.path, outcome.expected.value_or(0), *outcome.actual);
    else {
      fmt::print("FAIL {}: expected {:#x}, got an error:\n", outcome.path, outcome.expected.value_or(0));
      // Indent the error report under its file.
      std::string report = outcome.error;
      while (!report.empty() && report.back() == '\n')
        report.pop_back();
      size_t start = 0;
      while (start <= report.size()) {
        size_t end = report.find('\n', start);
        if (end == std::string::npos)
          end = report.size();
        fmt::print("    {}\n", std::string_view(report).substr(start, end - start));
        start = end + 1;
      }
    }
  }
  fmt::print("{} passed, {} failed\n", passed, failed);
  std::fflush(stdout);
  return failed == 0 ? 0 : 1;
}

} // namespace ebpfc::ebpfvm
