// The P4-16 frontend: preprocess (clang, in-process), parse (ANTLR4), check
// names and types, and lower the program for its architecture (ebpfFilter
// or xdp) to an unoptimized ir::Module with debug info, ready for ebpfc's
// pass pipeline and backend.
#pragma once

#include "ir/Diagnostics.h"
#include "ir/Module.h"

#include <memory>
#include <string>
#include <vector>

namespace ebpfc::p4 {

struct P4FrontendOptions {
  std::string inputFile;
  // Preprocessor options passed to clang unchanged: -I, -D, -U, -include.
  std::vector<std::string> clangArgs;
  ir::Target target;
  bool colorDiagnostics = false;
  bool systemDependencies = true; // false for -MMD: leave out the model files
};

struct P4FrontendResult {
  std::unique_ptr<ir::Module> module;    // null when compilation failed
  std::vector<std::string> dependencies; // the input first, then every file included
};

P4FrontendResult compileP4(const P4FrontendOptions &options, ir::DiagnosticEngine &diags);

// The directory holding ebpfc's core.p4, ebpf_model.p4 and xdp_model.p4:
// share/ebpfc/p4include next to an installed ebpfc, else the source tree's
// p4include. "" when neither exists.
std::string modelIncludeDir();

} // namespace ebpfc::p4
