#include "tests/passes/CheckHarness.h"

#include "backend/Codegen.h"
#include "frontend/c/CFrontend.h"
#include "ir/TargetMachine.h"
#include "passes/Pipeline.h"

#include <llvm/Target/TargetMachine.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>

namespace ebpfc::testing {

CapturedDiagnostics::CapturedDiagnostics() {
  stream_ = ::open_memstream(&buffer_, &size_);
  engine_ = std::make_unique<ir::DiagnosticEngine>(ir::DiagnosticFormat::Json, stream_);
}

CapturedDiagnostics::~CapturedDiagnostics() {
  engine_.reset();
  std::fclose(stream_);
  std::free(buffer_);
}

std::string CapturedDiagnostics::json() {
  engine_->flush();
  std::fflush(stream_);
  return std::string(buffer_, size_);
}

std::vector<CapturedDiagnostics::Entry> CapturedDiagnostics::entries() {
  std::vector<Entry> out;
  std::string text = json();
  if (text.empty())
    return out;
  for (const nlohmann::json &d : nlohmann::json::parse(text)) {
    Entry e;
    e.severity = d["severity"];
    e.file = d["file"].is_null() ? "" : d["file"].get<std::string>();
    e.line = d["line"];
    e.column = d["column"];
    e.message = d["message"];
    for (const nlohmann::json &n : d["notes"]) {
      e.notes.push_back(n["message"]);
      e.noteLines.push_back(n["line"].get<unsigned>());
    }
    out.push_back(std::move(e));
  }
  return out;
}

Compiled compileForTest(const std::string &dir, const std::string &name, const std::string &source,
                        const CompileSettings &settings, CapturedDiagnostics &diags) {
  std::ofstream(dir + "/" + name) << source;
  return compileFileForTest(dir + "/" + name, settings, diags);
}

Compiled compileFileForTest(const std::string &path, const CompileSettings &settings, CapturedDiagnostics &diags) {
  Compiled compiled;
  compiled.sourcePath = path;
  frontend::CFrontendOptions options;
  options.inputFile = compiled.sourcePath;
  options.optLevel = settings.pipeline.optLevel;
  options.target = ir::Target::forKernel(*ir::KernelVersion::parse(settings.targetKernel));
  frontend::CFrontendResult result = frontend::compileC(options, diags.engine());
  if (!result.module)
    return compiled;
  compiled.module = std::move(result.module);
  std::unique_ptr<llvm::TargetMachine> machine =
      ir::createTargetMachine(compiled.module->target, settings.pipeline.optLevel);
  passes::PassContext context{diags.engine(), settings.pipeline, *machine};
  if (!passes::runPipeline(*compiled.module, context) || !settings.generateObject)
    return compiled;
  backend::CodegenOptions codegen;
  if (std::optional<std::string> object = backend::generate(*compiled.module, *machine, backend::OutputKind::Object,
                                                            codegen, diags.engine()))
    compiled.object = std::move(*object);
  return compiled;
}

bool runCheck(passes::ObjectCheck &check, Compiled &compiled, const CompileSettings &settings,
              CapturedDiagnostics &diags, std::FILE *statsStream) {
  std::unique_ptr<llvm::TargetMachine> machine =
      ir::createTargetMachine(compiled.module->target, settings.pipeline.optLevel);
  passes::PassContext context{diags.engine(), settings.pipeline, *machine};
  if (statsStream)
    context.statsStream = statsStream;
  return check.run(*compiled.module, compiled.object, context);
}

} // namespace ebpfc::testing
