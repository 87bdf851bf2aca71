#include "frontend/p4/Preprocessor.h"

#include "frontend/c/ClangDiagnostics.h"

#include <clang/Basic/SourceManager.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/CompilerInvocation.h>
#include <clang/Frontend/Utils.h>
#include <clang/Lex/Preprocessor.h>
#include <clang/Lex/TokenConcatenation.h>

#include <set>

namespace ebpfc::p4 {

namespace {

std::vector<std::string> preprocessorCommandLine(const PreprocessorOptions &options, ir::DiagnosticFormat format) {
  std::vector<std::string> args = {
      EBPFC_CLANG_DRIVER_PATH, "--target=bpf", "-x", "c",
      // No C predefined macros: "linux" or "unix" would rewrite P4 names.
      "-undef", "-nostdinc", "-D__TARGET_EBPF__=1", "-D__ebpfc__=1",
      options.colorDiagnostics ? "-fcolor-diagnostics" : "-fno-color-diagnostics",
  };
  if (format == ir::DiagnosticFormat::Json)
    args.push_back("-fno-caret-diagnostics");
  args.insert(args.end(), options.clangArgs.begin(), options.clangArgs.end());
  // After the user's directories, so a program can bring its own core.p4.
  if (!options.modelIncludeDir.empty()) {
    args.push_back("-idirafter");
    args.push_back(options.modelIncludeDir);
  }
  args.push_back(options.inputFile);
  return args;
}

// Writes tokens back as text, each at its source column, one output line
// per source line.
class TokenPrinter {
public:
  TokenPrinter(clang::Preprocessor &pp, PreprocessedSource &out)
      : pp_(pp), sm_(pp.getSourceManager()), concatenation_(pp), out_(out) {}

  void print(const clang::Token &token) {
    clang::SourceLocation at = sm_.getExpansionLoc(token.getLocation());
    clang::PresumedLoc presumed = sm_.getPresumedLoc(at);
    if (presumed.isInvalid())
      return;
    uint32_t file = out_.sourceMap.fileIndex(presumed.getFilename());
    unsigned line = presumed.getLine();
    unsigned column = presumed.getColumn();
    if (file != file_ || line != line_) {
      if (file_ != 0)
        out_.text += '\n';
      out_.sourceMap.addOutputLine(file, line);
      file_ = file;
      line_ = line;
      column_ = 1;
      previous_.startToken();
      beforePrevious_.startToken();
    }
    if (column_ < column) {
      out_.text.append(column - column_, ' ');
      column_ = column;
    } else if (column_ > 1 && (token.hasLeadingSpace() ||
                               concatenation_.AvoidConcat(beforePrevious_, previous_, token))) {
      // A macro expansion already went past the column: keep tokens apart.
      out_.text += ' ';
      ++column_;
    }
    std::string spelling = pp_.getSpelling(token);
    out_.text += spelling;
    column_ += static_cast<unsigned>(spelling.size());
    beforePrevious_ = previous_;
    previous_ = token;
  }

private:
  clang::Preprocessor &pp_;
  clang::SourceManager &sm_;
  clang::TokenConcatenation concatenation_;
  PreprocessedSource &out_;
  uint32_t file_ = 0;
  unsigned line_ = 0;
  unsigned column_ = 1;
  clang::Token previous_;
  clang::Token beforePrevious_;
};

} // namespace

std::optional<PreprocessedSource> preprocess(const PreprocessorOptions &options, ir::DiagnosticEngine &diags) {
  std::vector<std::string> args = preprocessorCommandLine(options, diags.format());
  std::vector<const char *> argv;
  for (const std::string &a : args)
    argv.push_back(a.c_str());

  llvm::IntrusiveRefCntPtr<clang::DiagnosticOptions> diagOptions(new clang::DiagnosticOptions());
  diagOptions->ShowColors = options.colorDiagnostics;
  std::unique_ptr<clang::DiagnosticConsumer> consumer = frontend::createDiagnosticConsumer(diags, *diagOptions);
  llvm::IntrusiveRefCntPtr<clang::DiagnosticsEngine> clangDiags =
      clang::CompilerInstance::createDiagnostics(diagOptions.get(), consumer.get(), /*ShouldOwnClient=*/false);
  clang::CreateInvocationOptions invocationOptions;
  invocationOptions.Diags = clangDiags;
  std::shared_ptr<clang::CompilerInvocation> invocation = clang::createInvocation(argv, invocationOptions);
  if (!invocation || clangDiags->hasErrorOccurred()) {
    consumer->finish();
    return std::nullopt;
  }

  clang::CompilerInstance compiler;
  compiler.setInvocation(std::move(invocation));
  compiler.createDiagnostics(consumer.get(), /*ShouldOwnClient=*/false);
  if (!compiler.createTarget()) {
    consumer->finish();
    return std::nullopt;
  }
  compiler.createFileManager();
  compiler.createSourceManager(compiler.getFileManager());
  compiler.createPreprocessor(clang::TU_Complete);
  if (compiler.getFrontendOpts().Inputs.empty() ||
      !compiler.InitializeSourceManager(compiler.getFrontendOpts().Inputs.front())) {
    consumer->finish();
    return std::nullopt;
  }

  PreprocessedSource result;
  clang::Preprocessor &pp = compiler.getPreprocessor();
  consumer->BeginSourceFile(compiler.getLangOpts(), &pp);
  pp.EnterMainSourceFile();
  TokenPrinter printer(pp, result);
  clang::Token token;
  for (pp.Lex(token); token.isNot(clang::tok::eof); pp.Lex(token))
    printer.print(token);
  result.text += '\n';
  consumer->EndSourceFile();
  consumer->finish();
  if (compiler.getDiagnostics().hasErrorOccurred())
    return std::nullopt;

  // Every file the preprocessor opened, for depfiles; the model files count
  // as system headers.
  clang::SourceManager &sm = compiler.getSourceManager();
  std::set<std::string> included; // sorted: the source manager's order is not stable
  for (auto it = sm.fileinfo_begin(); it != sm.fileinfo_end(); ++it) {
    std::string path = it->first.getName().str();
    bool isModel = !options.modelIncludeDir.empty() && path.rfind(options.modelIncludeDir, 0) == 0;
    if (it->first == sm.getFileEntryRefForID(sm.getMainFileID()) || (isModel && !options.systemDependencies))
      continue;
    included.insert(path);
  }
  result.dependencies.push_back(options.inputFile);
  included.erase(options.inputFile);
  result.dependencies.insert(result.dependencies.end(), included.begin(), included.end());
  return result;
}

} // namespace ebpfc::p4
