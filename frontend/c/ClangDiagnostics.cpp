#include "frontend/c/ClangDiagnostics.h"

#include <clang/Basic/SourceManager.h>
#include <clang/Frontend/TextDiagnosticPrinter.h>
#include <llvm/ADT/SmallString.h>
#include <llvm/Support/raw_ostream.h>

namespace ebpfc::frontend {

namespace {

ir::SourceLocation toLocation(const clang::Diagnostic &info) {
  if (!info.getLocation().isValid() || !info.hasSourceManager())
    return {};
  clang::PresumedLoc presumed = info.getSourceManager().getPresumedLoc(
      info.getSourceManager().getFileLoc(info.getLocation()));
  if (presumed.isInvalid())
    return {};
  return {presumed.getFilename(), presumed.getLine(), presumed.getColumn()};
}

std::string sourceLineOf(const clang::Diagnostic &info) {
  if (!info.getLocation().isValid() || !info.hasSourceManager())
    return {};
  const clang::SourceManager &sm = info.getSourceManager();
  clang::SourceLocation loc = sm.getFileLoc(info.getLocation());
  bool invalid = false;
  llvm::StringRef buffer = sm.getBufferData(sm.getFileID(loc), &invalid);
  if (invalid)
    return {};
  unsigned offset = sm.getFileOffset(loc);
  size_t begin = buffer.rfind('\n', offset == 0 ? 0 : offset - 1);
  begin = begin == llvm::StringRef::npos || offset == 0 ? 0 : begin + 1;
  size_t end = buffer.find_first_of("\r\n", offset);
  return buffer.slice(begin, end).str();
}

// Collects clang's diagnostics as ebpfc diagnostics; notes attach to the
// diagnostic they follow, as clang emits them.
class Bridge : public clang::DiagnosticConsumer {
public:
  explicit Bridge(ir::DiagnosticEngine &diags) : diags_(diags) {}
  ~Bridge() override { flushPending(); }

  void HandleDiagnostic(clang::DiagnosticsEngine::Level level, const clang::Diagnostic &info) override {
    clang::DiagnosticConsumer::HandleDiagnostic(level, info);
    llvm::SmallString<256> message;
    info.FormatDiagnostic(message);
    if (level == clang::DiagnosticsEngine::Note) {
      if (pending_)
        pending_->notes.push_back({toLocation(info), message.str().str()});
      return;
    }
    flushPending();
    if (level == clang::DiagnosticsEngine::Ignored || level == clang::DiagnosticsEngine::Remark)
      return;
    ir::Diagnostic d;
    d.severity = level == clang::DiagnosticsEngine::Warning ? ir::Severity::Warning : ir::Severity::Error;
    d.loc = toLocation(info);
    d.message = message.str().str();
    d.sourceLine = sourceLineOf(info);
    pending_ = std::move(d);
  }

  void finish() override { flushPending(); }

private:
  void flushPending() {
    if (pending_) {
      diags_.report(std::move(*pending_));
      pending_.reset();
    }
  }

  ir::DiagnosticEngine &diags_;
  std::optional<ir::Diagnostic> pending_;
};

// Prints with clang's renderer and counts into ebpfc's engine, so the exit
// status reflects clang's errors too.
class CountingPrinter : public clang::TextDiagnosticPrinter {
public:
  CountingPrinter(ir::DiagnosticEngine &diags, clang::DiagnosticOptions &options)
      : clang::TextDiagnosticPrinter(llvm::errs(), &options), diags_(diags) {}

  void HandleDiagnostic(clang::DiagnosticsEngine::Level level, const clang::Diagnostic &info) override {
    clang::TextDiagnosticPrinter::HandleDiagnostic(level, info);
    if (level == clang::DiagnosticsEngine::Error || level == clang::DiagnosticsEngine::Fatal)
      diags_.countExternalError();
    else if (level == clang::DiagnosticsEngine::Warning)
      diags_.countExternalWarning();
  }

private:
  ir::DiagnosticEngine &diags_;
};

} // namespace

std::unique_ptr<clang::DiagnosticConsumer> createDiagnosticConsumer(ir::DiagnosticEngine &diags,
                                                                    clang::DiagnosticOptions &options) {
  if (diags.format() == ir::DiagnosticFormat::Json)
    return std::make_unique<Bridge>(diags);
  return std::make_unique<CountingPrinter>(diags, options);
}

} // namespace ebpfc::frontend
