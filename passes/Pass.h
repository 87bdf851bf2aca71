// The interfaces every ebpfc pass implements. IR passes read and rewrite an
// ir::Module before code generation; object checks read the generated
// machine code (frame sizes, instruction counts) afterwards. Both report
// findings through the diagnostic engine.
#pragma once

#include "ir/Diagnostics.h"
#include "ir/Module.h"

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llvm {
class TargetMachine;
}

namespace ebpfc::passes {

enum class UnrollMode { Auto, Always };     // --unroll=auto|always
enum class GlobalsMode { Sections, Maps };  // --globals=sections|maps
enum class MapFormat { Btf, Legacy, Iproute2 }; // --map-format=btf|legacy|iproute2
enum class StatsFormat { None, Text, Json }; // --stats[=text|json]

struct PipelineOptions {
  unsigned optLevel = 2;  // -O0..-O3
  unsigned sizeLevel = 0; // 1 for -Os, 2 for -Oz
  // Passes after which the module is printed (--print-after=NAME; "all").
  std::vector<std::string> printAfter;
  UnrollMode unroll = UnrollMode::Auto;
  GlobalsMode globals = GlobalsMode::Sections;
  MapFormat mapFormat = MapFormat::Btf;
  unsigned stackLimit = 512; // bytes, along the deepest BPF-to-BPF call chain
  // --spill-locals[=N]: locals of N bytes or more move to a per-CPU scratch map.
  std::optional<unsigned> spillThreshold;
  StatsFormat stats = StatsFormat::None;
};

struct PassContext {
  ir::DiagnosticEngine &diags;
  const PipelineOptions &options;
  llvm::TargetMachine &machine;
  std::FILE *printStream = stderr; // --print-after output
  std::FILE *statsStream = stdout; // --stats output
};

class Pass {
public:
  virtual ~Pass() = default;
  virtual std::string_view name() const = 0;
  virtual std::string_view summary() const = 0;
  // False when the pass reported an error that stops compilation.
  virtual bool run(ir::Module &module, PassContext &context) = 0;
};

// A check on the generated object. `object` is the ELF file the backend
// produced for `module`.
class ObjectCheck {
public:
  virtual ~ObjectCheck() = default;
  virtual std::string_view name() const = 0;
  virtual std::string_view summary() const = 0;
  virtual bool run(const ir::Module &module, const std::string &object, PassContext &context) = 0;
};

} // namespace ebpfc::passes
