#include "frontend/c/CFrontend.h"

#include "frontend/c/ClangDiagnostics.h"
#include "frontend/c/RestrictedC.h"

#include <clang/CodeGen/CodeGenAction.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/CompilerInvocation.h>
#include <clang/Frontend/FrontendActions.h>
#include <clang/Frontend/MultiplexConsumer.h>
#include <clang/Frontend/Utils.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/VirtualFileSystem.h>

namespace ebpfc::frontend {

namespace {

// Headers ebpfc provides itself, in memory, searched after every real
// directory: glibc's <gnu/stubs.h> includes stubs-32.h on every target but
// x86-64 (BPF among them), and Debian has that file only with gcc-multilib;
// without it any program including <stdint.h> or <string.h> fails with
// "'gnu/stubs-32.h' file not found". The file only marks libc functions that
// are stubs, none of which a BPF program can call, so an empty one is exact.
constexpr const char *kBuiltinIncludeDir = "/ebpfc-builtin-include";
constexpr const char *kStubs32 = "gnu/stubs-32.h";

bool needsStubs32(const std::string &multiarch) {
  return !multiarch.empty() && !llvm::sys::fs::exists(multiarch + "/" + kStubs32) &&
         llvm::sys::fs::exists(multiarch + "/gnu/stubs.h");
}

llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> fileSystemWithBuiltins() {
  auto builtins = llvm::makeIntrusiveRefCnt<llvm::vfs::InMemoryFileSystem>();
  builtins->addFile(std::string(kBuiltinIncludeDir) + "/" + kStubs32, 0,
                    llvm::MemoryBuffer::getMemBuffer("/* ebpfc: BPF programs call no libc stubs. */\n"));
  auto overlay = llvm::makeIntrusiveRefCnt<llvm::vfs::OverlayFileSystem>(llvm::vfs::getRealFileSystem());
  overlay->pushOverlay(builtins);
  return overlay;
}

// Records every file the preprocessor reads, for depfiles; ebpfc's built-in
// headers are no file a build system could track.
class DependencyRecorder : public clang::DependencyCollector {
public:
  explicit DependencyRecorder(bool system) : system_(system) {}
  bool needSystemDependencies() final { return system_; }
  bool sawDependency(llvm::StringRef file, bool fromModule, bool isSystem, bool isModuleFile,
                     bool isMissing) final {
    return !file.starts_with(kBuiltinIncludeDir) &&
           clang::DependencyCollector::sawDependency(file, fromModule, isSystem, isModuleFile, isMissing);
  }

private:
  bool system_;
};

// CodeGen with the restricted-C checker next to it, on the same AST.
class CheckedCodegenAction : public clang::EmitLLVMOnlyAction {
public:
  using clang::EmitLLVMOnlyAction::EmitLLVMOnlyAction;

protected:
  std::unique_ptr<clang::ASTConsumer> CreateASTConsumer(clang::CompilerInstance &compiler,
                                                        llvm::StringRef file) override {
    std::unique_ptr<clang::ASTConsumer> codegen = clang::EmitLLVMOnlyAction::CreateASTConsumer(compiler, file);
    if (!codegen)
      return nullptr;
    std::vector<std::unique_ptr<clang::ASTConsumer>> consumers;
    consumers.push_back(createRestrictedCChecker(compiler.getDiagnostics()));
    consumers.push_back(std::move(codegen));
    return std::make_unique<clang::MultiplexConsumer>(std::move(consumers));
  }
};

std::vector<std::string> clangCommandLine(const CFrontendOptions &options, ir::DiagnosticFormat format) {
  std::vector<std::string> args = {
      EBPFC_CLANG_DRIVER_PATH, "--target=bpf", "-c", "-g",
      "-mcpu=" + std::string(ir::isaName(options.target.isa)),
  };
  if (options.sizeLevel == 1) args.push_back("-Os");
  else if (options.sizeLevel == 2) args.push_back("-Oz");
  else args.push_back("-O" + std::to_string(options.optLevel));
  args.push_back(options.colorDiagnostics ? "-fcolor-diagnostics" : "-fno-color-diagnostics");
  // Without carets clang also leaves out its "N errors generated." line,
  // which would break JSON output on stderr.
  if (format == ir::DiagnosticFormat::Json)
    args.push_back("-fno-caret-diagnostics");
  // Last, so a user's own -I/-isystem directories win over the host's.
  args.insert(args.end(), options.clangArgs.begin(), options.clangArgs.end());
  if (std::string multiarch = hostMultiarchIncludeDir(); !multiarch.empty()) {
    args.push_back("-idirafter");
    args.push_back(multiarch);
    if (needsStubs32(multiarch)) {
      args.push_back("-idirafter");
      args.push_back(kBuiltinIncludeDir);
    }
  }
  args.push_back(options.inputFile);
  return args;
}

} // namespace

std::string hostMultiarchIncludeDir() {
  std::string dir = EBPFC_MULTIARCH_INCLUDE_DIR;
  return !dir.empty() && llvm::sys::fs::is_directory(dir + "/asm") ? dir : std::string();
}

CFrontendResult compileC(const CFrontendOptions &options, ir::DiagnosticEngine &diags) {
  CFrontendResult result;
  std::vector<std::string> args = clangCommandLine(options, diags.format());
  std::vector<const char *> argv;
  for (const std::string &a : args)
    argv.push_back(a.c_str());

  llvm::IntrusiveRefCntPtr<clang::DiagnosticOptions> diagOptions(new clang::DiagnosticOptions());
  diagOptions->ShowColors = options.colorDiagnostics;

  std::unique_ptr<clang::DiagnosticConsumer> consumer = createDiagnosticConsumer(diags, *diagOptions);
  llvm::IntrusiveRefCntPtr<clang::DiagnosticsEngine> clangDiags =
      clang::CompilerInstance::createDiagnostics(diagOptions.get(), consumer.get(), /*ShouldOwnClient=*/false);

  clang::CreateInvocationOptions invocationOptions;
  invocationOptions.Diags = clangDiags;
  std::shared_ptr<clang::CompilerInvocation> invocation = clang::createInvocation(argv, invocationOptions);
  if (!invocation || clangDiags->hasErrorOccurred()) {
    consumer->finish();
    return result;
  }
  // CodeGen only; the optimization pipeline runs in passes/ with ebpfc's passes.
  invocation->getCodeGenOpts().DisableLLVMPasses = true;

  clang::CompilerInstance compiler;
  compiler.setInvocation(std::move(invocation));
  compiler.createDiagnostics(consumer.get(), /*ShouldOwnClient=*/false);
  compiler.createFileManager(fileSystemWithBuiltins());
  std::shared_ptr<DependencyRecorder> recorder;
  if (options.collectDependencies) {
    recorder = std::make_shared<DependencyRecorder>(options.systemDependencies);
    compiler.addDependencyCollector(recorder);
  }

  auto context = std::make_unique<llvm::LLVMContext>();
  CheckedCodegenAction action(context.get());
  bool ok = compiler.ExecuteAction(action);
  consumer->finish();
  if (!ok || compiler.getDiagnostics().hasErrorOccurred())
    return result;
  std::unique_ptr<llvm::Module> module = action.takeModule();
  if (!module)
    return result;

  if (recorder)
    result.dependencies = recorder->getDependencies();
  result.module = std::make_unique<ir::Module>(std::move(context), std::move(module), options.target,
                                               options.inputFile);
  if (!ir::readProgramModel(*result.module, diags, options.sectionTypes))
    result.module.reset();
  return result;
}

} // namespace ebpfc::frontend
