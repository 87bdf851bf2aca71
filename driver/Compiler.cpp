#include "driver/Compiler.h"

#include "backend/Assembler.h"
#include "backend/Codegen.h"
#include "backend/IsaSelection.h"
#include "driver/Depfile.h"
#include "driver/OutputFile.h"
#include "driver/Skeleton.h"
#include "frontend/c/CFrontend.h"
#include "frontend/p4/P4Frontend.h"
#include "ir/TargetMachine.h"
#include "passes/Pipeline.h"

#include <llvm/IR/Module.h>
#include <llvm/Transforms/Utils/Cloning.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include <fstream>
#include <sstream>

namespace ebpfc::driver {

namespace {

std::string extensionOf(const std::string &path) {
  size_t slash = path.rfind('/');
  size_t dot = path.rfind('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash))
    return {};
  return path.substr(dot);
}

std::optional<InputLanguage> languageOf(const std::string &input, const CompileOptions &options,
                                        ir::DiagnosticEngine &diags) {
  if (options.language)
    return options.language;
  std::string ext = extensionOf(input);
  if (ext == ".c" || ext == ".h" || input == "-") return InputLanguage::C;
  if (ext == ".p4") return InputLanguage::P4;
  if (ext == ".s") return InputLanguage::Assembly;
  if (ext == ".o")
    diags.error(input + ": is an object file; ebpfc compiles sources",
                {{{}, "run objects with 'ebpfvm run', or inspect them with 'ebpfvm disasm'"}});
  else if (ext == ".S")
    diags.error(input + ": preprocessed assembly (.S) is not supported",
                {{{}, "preprocess it first (e.g. 'cpp prog.S > prog.s') and compile the .s file"}});
  else
    diags.error(input + ": unknown file type '" + ext + "'",
                {{{}, "name C sources .c, P4 sources .p4 and assembly .s, or give the language with -x c|p4|assembler"}});
  return std::nullopt;
}

bool readFile(const std::string &path, std::string &contents, ir::DiagnosticEngine &diags) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.error("no such file or directory: '" + path + "'");
    return false;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  contents = buffer.str();
  return true;
}

std::optional<std::string> compileModule(ir::Module &module, const CompileOptions &options,
                                         ir::DiagnosticEngine &diags);

// The compiled bytes for a C input, or nullopt.
std::optional<std::string> compileCSource(const std::string &input, const CompileOptions &options,
                                          ir::DiagnosticEngine &diags, std::vector<std::string> &dependencies) {
  frontend::CFrontendOptions frontendOptions;
  frontendOptions.inputFile = input;
  frontendOptions.clangArgs = options.clangArgs;
  frontendOptions.optLevel = options.pipeline.optLevel;
  frontendOptions.sizeLevel = options.pipeline.sizeLevel;
  frontendOptions.target = options.target;
  frontendOptions.sectionTypes = options.sectionTypes;
  frontendOptions.colorDiagnostics = options.colorDiagnostics;
  frontendOptions.collectDependencies = options.depfile.enabled;
  frontendOptions.systemDependencies = options.depfile.systemHeaders;
  frontend::CFrontendResult frontendResult = frontend::compileC(frontendOptions, diags);
  if (!frontendResult.module)
    return std::nullopt;
  dependencies = std::move(frontendResult.dependencies);
  return compileModule(*frontendResult.module, options, diags);
}

// The compiled bytes for a P4 input, or nullopt.
std::optional<std::string> compileP4Source(const std::string &input, const CompileOptions &options,
                                           ir::DiagnosticEngine &diags, std::vector<std::string> &dependencies) {
  p4::P4FrontendOptions frontendOptions;
  frontendOptions.inputFile = input;
  frontendOptions.clangArgs = options.clangArgs;
  frontendOptions.target = options.target;
  frontendOptions.colorDiagnostics = options.colorDiagnostics;
  frontendOptions.systemDependencies = options.depfile.systemHeaders;
  p4::P4FrontendResult frontendResult = p4::compileP4(frontendOptions, diags);
  if (!frontendResult.module)
    return std::nullopt;
  dependencies = std::move(frontendResult.dependencies);
  return compileModule(*frontendResult.module, options, diags);
}

// Runs the pass pipeline and the backend on a frontend's module.
std::optional<std::string> compileModule(ir::Module &module, const CompileOptions &options,
                                         ir::DiagnosticEngine &diags) {
  std::unique_ptr<llvm::TargetMachine> machine = ir::createTargetMachine(options.target, options.pipeline.optLevel);
  passes::PassContext context{diags, options.pipeline, *machine};
  // --stats goes to stderr when the output itself is written to stdout.
  context.statsStream = options.output == "-" ? stderr : stdout;
  if (!passes::runPipeline(module, context))
    return std::nullopt;

  // LLVM's BPF target takes the ISA level from the target machine, so a
  // level other than the target's needs a machine of its own.
  std::unique_ptr<llvm::TargetMachine> levelMachine;
  if (!options.isaExplicit) {
    ir::IsaLevel isa = backend::chooseIsa(module, options.target.isa, options.pipeline.optLevel);
    if (isa != options.target.isa) {
      backend::setIsa(module, isa);
      levelMachine = ir::createTargetMachine(module.target, options.pipeline.optLevel);
    }
  }
  llvm::TargetMachine &codegenMachine = levelMachine ? *levelMachine : *machine;

  // The object checks need the object even when the output is IR or
  // assembly; code generation changes the IR, so those outputs come from a
  // copy taken before it.
  std::optional<std::string> printed;
  std::unique_ptr<llvm::Module> beforeCodegen;
  if (options.emit == EmitKind::LlvmIr) {
    llvm::raw_string_ostream stream(printed.emplace());
    module.llvm().print(stream, nullptr);
  } else if (options.emit == EmitKind::Assembly) {
    beforeCodegen = llvm::CloneModule(module.llvm());
  }

  backend::CodegenOptions codegenOptions;
  codegenOptions.keepDwarf = options.debugInfo;
  codegenOptions.sourceComments = options.debugInfo;
  std::optional<std::string> object =
      backend::generate(module, codegenMachine, backend::OutputKind::Object, codegenOptions, diags);
  if (!object || !passes::runObjectChecks(module, *object, context))
    return std::nullopt;
  if (printed)
    return printed;
  if (beforeCodegen) {
    module.replaceLlvmModule(std::move(beforeCodegen));
    return backend::generate(module, codegenMachine, backend::OutputKind::Assembly, codegenOptions, diags);
  }
  return object;
}

bool compileOne(const std::string &input, const CompileOptions &options, ir::DiagnosticEngine &diags) {
  if (input != "-" && !llvm::sys::fs::exists(input)) {
    diags.error("no such file or directory: '" + input + "'");
    return false;
  }
  std::optional<InputLanguage> language = languageOf(input, options, diags);
  if (!language)
    return false;
  std::string output = options.output.empty() ? defaultOutputPath(input, options.emit) : options.output;
  std::vector<std::string> dependencies{input};
  std::optional<std::string> bytes;
  switch (*language) {
  case InputLanguage::C:
    bytes = compileCSource(input, options, diags, dependencies);
    break;
  case InputLanguage::Assembly: {
    if (options.emit != EmitKind::Object) {
      diags.error(input + ": assembly input can only be compiled to an object", {{{}, "drop -S / --emit-ir"}});
      return false;
    }
    std::string text;
    if (readFile(input, text, diags))
      bytes = backend::assemble(input, text, options.target, diags);
    break;
  }
  case InputLanguage::P4:
    bytes = compileP4Source(input, options, diags, dependencies);
    break;
  }
  if (!bytes || diags.hasErrors())
    return false;
  // Made before anything is written, so a failure leaves no outputs.
  std::optional<std::string> skeleton;
  if (!options.skeleton.empty()) {
    skeleton = generateSkeleton(*bytes, skeletonName(options.skeleton), diags);
    if (!skeleton)
      return false;
  }
  if (!writeOutputFile(output, *bytes, diags))
    return false;
  if (skeleton && !writeOutputFile(options.skeleton, *skeleton, diags))
    return false;
  if (options.depfile.enabled) {
    std::string depfilePath = options.depfile.path.empty() ? defaultDepfilePath(output) : options.depfile.path;
    std::string target = output == "-" ? defaultOutputPath(input, options.emit) : output;
    if (!writeOutputFile(depfilePath, formatDepfile(options.depfile, target, dependencies), diags))
      return false;
  }
  return true;
}

} // namespace

std::string defaultOutputPath(const std::string &input, EmitKind emit) {
  std::string base = input == "-" ? "-" : input.substr(input.rfind('/') == std::string::npos ? 0 : input.rfind('/') + 1);
  std::string ext = extensionOf(base);
  if (!ext.empty())
    base.resize(base.size() - ext.size());
  switch (emit) {
  case EmitKind::Object: return base + ".o";
  case EmitKind::Assembly: return base + ".s";
  case EmitKind::LlvmIr: return base + ".ll";
  }
  return base + ".o";
}

bool compile(const CompileOptions &options, ir::DiagnosticEngine &diags) {
  bool ok = true;
  for (const std::string &input : options.inputs)
    ok = compileOne(input, options, diags) && ok;
  return ok;
}

} // namespace ebpfc::driver
