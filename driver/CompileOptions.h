// Everything one `ebpfc` invocation asks for, as parsed from its command line.
#pragma once

#include "ir/Diagnostics.h"
#include "ir/Module.h"
#include "ir/Target.h"
#include "passes/Pass.h"

#include <optional>
#include <string>
#include <vector>

namespace ebpfc::driver {

enum class InputLanguage { C, P4, Assembly };
enum class EmitKind { Object, Assembly, LlvmIr };

// -MD/-MMD/-MF/-MT/-MQ/-MP, as gcc and clang define them.
struct DepfileOptions {
  bool enabled = false;
  bool systemHeaders = true; // false for -MMD
  std::string path;          // -MF; default: the output with extension .d
  std::vector<std::string> targets; // -MT (verbatim) and -MQ (already quoted)
  bool phonyTargets = false; // -MP
};

struct CompileOptions {
  std::vector<std::string> inputs;
  std::optional<InputLanguage> language; // -x; otherwise from the extension
  std::string output;                    // -o; "-" is standard output
  EmitKind emit = EmitKind::Object;
  // -O level, --print-after and the eBPF passes' options.
  passes::PipelineOptions pipeline;
  bool debugInfo = false;
  ir::Target target;
  // -mcpu was given: every function uses target.isa. Otherwise each
  // function gets the level, up to target.isa, with the shortest code.
  bool isaExplicit = false;
  std::vector<std::string> clangArgs;
  DepfileOptions depfile;
  // --skeleton: where to write a C header that embeds the object for
  // libbpf-based loaders (driver/Skeleton.h); empty for none.
  std::string skeleton;
  std::vector<ir::SectionTypeOverride> sectionTypes;
  bool warningsAsErrors = false;
  bool colorDiagnostics = false;
};

} // namespace ebpfc::driver
