// P4 sources go through clang's C preprocessor, in-process: #include,
// #define and #if work as p4c users expect, with -I/-D/-U as for C. The
// output keeps every token at its source line and column so the parser's
// diagnostics point at the right file, line and column (SourceMap).
#pragma once

#include "frontend/p4/SourceMap.h"
#include "ir/Diagnostics.h"

#include <optional>
#include <string>
#include <vector>

namespace ebpfc::p4 {

struct PreprocessorOptions {
  std::string inputFile;
  std::vector<std::string> clangArgs; // -I, -D, -U, -include, -W...
  std::string modelIncludeDir;        // core.p4, ebpf_model.p4, xdp_model.p4
  bool colorDiagnostics = false;
  bool systemDependencies = true;     // false for -MMD: leave out the model files
};

struct PreprocessedSource {
  std::string text;
  SourceMap sourceMap;
  std::vector<std::string> dependencies; // the input first, then every file included
};

std::optional<PreprocessedSource> preprocess(const PreprocessorOptions &options, ir::DiagnosticEngine &diags);

} // namespace ebpfc::p4
