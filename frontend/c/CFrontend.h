// The restricted-C frontend: clang 19 in-process (preprocessor, Sema,
// CodeGen for bpfel) producing an unoptimized ir::Module. The optimization
// pipeline runs later, in passes/, so ebpfc's own passes can sit inside it.
#pragma once

#include "ir/Diagnostics.h"
#include "ir/Module.h"

#include <memory>
#include <string>
#include <vector>

namespace ebpfc::frontend {

struct CFrontendOptions {
  std::string inputFile;
  // Passed to clang unchanged: -I, -D, -U, -include, -std=, -W..., -f...
  std::vector<std::string> clangArgs;
  unsigned optLevel = 2;  // -O0..-O3
  unsigned sizeLevel = 0; // 1 for -Os, 2 for -Oz
  ir::Target target;
  std::vector<ir::SectionTypeOverride> sectionTypes;
  bool colorDiagnostics = false;
  // Header dependencies: collect them (system headers too unless false).
  bool collectDependencies = false;
  bool systemDependencies = true;
};

struct CFrontendResult {
  std::unique_ptr<ir::Module> module; // null when compilation failed
  std::vector<std::string> dependencies; // the input first, then every header read
};

CFrontendResult compileC(const CFrontendOptions &options, ir::DiagnosticEngine &diags);

// The directory with the host's <asm/types.h> that ebpfc adds with
// -idirafter (e.g. /usr/include/x86_64-linux-gnu), or "" if none exists.
std::string hostMultiarchIncludeDir();

} // namespace ebpfc::frontend
