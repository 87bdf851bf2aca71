// Compiles C sources in-process for the unit tests of the stack,
// instruction-limit, stats, spill-locals and restricted-C checks: the
// frontend, the IR pipeline and code generation, with diagnostics captured
// as JSON so tests can look at each one.
#pragma once

#include "ir/Diagnostics.h"
#include "ir/Module.h"
#include "passes/Pass.h"

#include <memory>
#include <string>
#include <vector>

namespace ebpfc::testing {

// A DiagnosticEngine in JSON mode writing into memory.
class CapturedDiagnostics {
public:
  CapturedDiagnostics();
  ~CapturedDiagnostics();
  ir::DiagnosticEngine &engine() { return *engine_; }
  // The JSON array of everything reported so far (flushes the engine).
  std::string json();

  struct Entry {
    std::string severity;
    std::string file;
    unsigned line = 0;
    unsigned column = 0;
    std::string message;
    std::vector<std::string> notes;
    std::vector<unsigned> noteLines; // 0 for notes without a location
  };
  std::vector<Entry> entries();

private:
  char *buffer_ = nullptr;
  size_t size_ = 0;
  std::FILE *stream_ = nullptr;
  std::unique_ptr<ir::DiagnosticEngine> engine_;
};

struct CompileSettings {
  passes::PipelineOptions pipeline;
  std::string targetKernel = "6.1";
  // False to look at the IR as the pipeline left it (code generation
  // rewrites some of it).
  bool generateObject = true;
};

struct Compiled {
  std::unique_ptr<ir::Module> module; // null when the frontend failed
  std::string object;                 // empty when the pipeline or codegen failed
  std::string sourcePath;
};

// Writes `source` to `dir`/`name` and compiles it. Diagnostics go to `diags`.
Compiled compileForTest(const std::string &dir, const std::string &name, const std::string &source,
                        const CompileSettings &settings, CapturedDiagnostics &diags);

// Compiles an existing file in place (so its own #include "..." work).
Compiled compileFileForTest(const std::string &path, const CompileSettings &settings, CapturedDiagnostics &diags);

// Runs one object check on a compiled program.
bool runCheck(passes::ObjectCheck &check, Compiled &compiled, const CompileSettings &settings,
              CapturedDiagnostics &diags, std::FILE *statsStream = nullptr);

} // namespace ebpfc::testing
