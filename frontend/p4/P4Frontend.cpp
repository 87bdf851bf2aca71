#include "frontend/p4/P4Frontend.h"

#include "frontend/p4/Lowering.h"
#include "frontend/p4/Parser.h"
#include "frontend/p4/Preprocessor.h"
#include "frontend/p4/TypeChecker.h"

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>

namespace ebpfc::p4 {

std::string modelIncludeDir() {
  // Any function of this binary locates the executable through /proc.
  std::string executable = llvm::sys::fs::getMainExecutable(nullptr, reinterpret_cast<void *>(&modelIncludeDir));
  if (!executable.empty()) {
    llvm::SmallString<256> installed(llvm::sys::path::parent_path(llvm::sys::path::parent_path(executable)));
    llvm::sys::path::append(installed, "share", "ebpfc", "p4include");
    if (llvm::sys::fs::exists(installed + "/core.p4"))
      return std::string(installed);
  }
  std::string source = EBPFC_P4INCLUDE_SOURCE_DIR;
  if (llvm::sys::fs::exists(source + "/core.p4"))
    return source;
  return {};
}

P4FrontendResult compileP4(const P4FrontendOptions &options, ir::DiagnosticEngine &diags) {
  P4FrontendResult result;
  PreprocessorOptions ppOptions;
  ppOptions.inputFile = options.inputFile;
  ppOptions.clangArgs = options.clangArgs;
  ppOptions.modelIncludeDir = modelIncludeDir();
  ppOptions.colorDiagnostics = options.colorDiagnostics;
  ppOptions.systemDependencies = options.systemDependencies;
  std::optional<PreprocessedSource> source = preprocess(ppOptions, diags);
  if (!source)
    return result;
  result.dependencies = source->dependencies;
  std::unique_ptr<Program> program = parseProgram(*source, diags);
  if (!program)
    return result;
  TypeContext types;
  CheckedProgram checked;
  if (!typeCheck(*program, types, source->sourceMap, diags, checked))
    return result;
  result.module = lowerProgram(*program, checked, types, source->sourceMap, options.target, options.inputFile, diags);
  return result;
}

} // namespace ebpfc::p4
