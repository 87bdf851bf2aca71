// The diagnostic engine every stage reports through. Text output follows
// clang's layout (file:line:col: error: message, the source line, a caret,
// notes); JSON output is one array of objects, for editors and CI.
#pragma once

#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace ebpfc::ir {

enum class Severity { Note, Warning, Error };

struct SourceLocation {
  std::string file;
  unsigned line = 0;   // 1-based; 0 when unknown
  unsigned column = 0; // 1-based; 0 when unknown

  bool valid() const { return !file.empty(); }
};

struct DiagnosticNote {
  SourceLocation loc;
  std::string message;
};

struct Diagnostic {
  Severity severity = Severity::Error;
  SourceLocation loc;
  std::string message;
  std::vector<DiagnosticNote> notes;
  // The text of the line at `loc`; looked up from the file when left empty.
  std::string sourceLine;
};

enum class DiagnosticFormat { Text, Json };

class DiagnosticEngine {
public:
  explicit DiagnosticEngine(DiagnosticFormat format = DiagnosticFormat::Text,
                            std::FILE *out = stderr, std::string toolName = "ebpfc");
  ~DiagnosticEngine();
  DiagnosticEngine(const DiagnosticEngine &) = delete;
  DiagnosticEngine &operator=(const DiagnosticEngine &) = delete;

  void report(Diagnostic diagnostic);
  void error(SourceLocation loc, std::string message, std::vector<DiagnosticNote> notes = {});
  void warning(SourceLocation loc, std::string message, std::vector<DiagnosticNote> notes = {});
  // An error about no particular source position ("ebpfc: error: ...").
  void error(std::string message, std::vector<DiagnosticNote> notes = {});

  // Counts a diagnostic that another renderer (clang's own) printed.
  void countExternalError() { ++errors_; }
  void countExternalWarning() { ++warnings_; }

  unsigned errorCount() const { return errors_; }
  unsigned warningCount() const { return warnings_; }
  bool hasErrors() const { return errors_ != 0; }
  DiagnosticFormat format() const { return format_; }
  void setColors(bool enabled) { colors_ = enabled; }
  // Warnings become errors (-Werror).
  void setWarningsAsErrors(bool enabled) { werror_ = enabled; }

  // Text of a 1-based line of a file, or "" (cached per file).
  const std::string &lineOf(const std::string &file, unsigned line);

  // JSON mode: writes the collected array. Called by the destructor too;
  // writes once.
  void flush();

private:
  void renderText(const Diagnostic &d);
  void renderLocation(const SourceLocation &loc);
  void renderSourceLine(const SourceLocation &loc, const std::string &text);

  DiagnosticFormat format_;
  std::FILE *out_;
  std::string toolName_;
  bool colors_ = false;
  bool werror_ = false;
  bool flushed_ = false;
  unsigned errors_ = 0;
  unsigned warnings_ = 0;
  std::vector<Diagnostic> collected_;
  std::map<std::string, std::vector<std::string>> fileLines_;
};

// JSON string literal (with quotes) for `text`.
std::string jsonQuote(const std::string &text);

} // namespace ebpfc::ir
