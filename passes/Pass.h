// The interface every ebpfc pass implements. A pass reads and rewrites an
// ir::Module and reports findings through the diagnostic engine.
#pragma once

#include "ir/Diagnostics.h"
#include "ir/Module.h"

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace llvm {
class TargetMachine;
}

namespace ebpfc::passes {

struct PipelineOptions {
  unsigned optLevel = 2;  // -O0..-O3
  unsigned sizeLevel = 0; // 1 for -Os, 2 for -Oz
  // Passes after which the module is printed (--print-after=NAME; "all").
  std::vector<std::string> printAfter;
};

struct PassContext {
  ir::DiagnosticEngine &diags;
  const PipelineOptions &options;
  llvm::TargetMachine &machine;
  std::FILE *printStream = stderr;
};

class Pass {
public:
  virtual ~Pass() = default;
  virtual std::string_view name() const = 0;
  virtual std::string_view summary() const = 0;
  // False when the pass reported an error that stops compilation.
  virtual bool run(ir::Module &module, PassContext &context) = 0;
};

} // namespace ebpfc::passes
