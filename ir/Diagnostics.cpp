#include "ir/Diagnostics.h"

#include <fstream>

namespace ebpfc::ir {

namespace {
const char *severityName(Severity s) {
  switch (s) {
  case Severity::Note: return "note";
  case Severity::Warning: return "warning";
  case Severity::Error: return "error";
  }
  return "error";
}
const char *severityColor(Severity s) {
  switch (s) {
  case Severity::Note: return "\033[1;30m";
  case Severity::Warning: return "\033[1;35m";
  case Severity::Error: return "\033[1;31m";
  }
  return "";
}
} // namespace

std::string jsonQuote(const std::string &text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\t': out += "\\t"; break;
    case '\r': out += "\\r"; break;
    default:
      if (c < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      } else {
        out += static_cast<char>(c);
      }
    }
  }
  return out + "\"";
}

DiagnosticEngine::DiagnosticEngine(DiagnosticFormat format, std::FILE *out, std::string toolName)
    : format_(format), out_(out), toolName_(std::move(toolName)) {}

DiagnosticEngine::~DiagnosticEngine() { flush(); }

const std::string &DiagnosticEngine::lineOf(const std::string &file, unsigned line) {
  static const std::string empty;
  auto it = fileLines_.find(file);
  if (it == fileLines_.end()) {
    std::vector<std::string> lines;
    std::ifstream in(file, std::ios::binary);
    for (std::string l; std::getline(in, l);) {
      if (!l.empty() && l.back() == '\r')
        l.pop_back();
      lines.push_back(std::move(l));
    }
    it = fileLines_.emplace(file, std::move(lines)).first;
  }
  if (line == 0 || line > it->second.size())
    return empty;
  return it->second[line - 1];
}

void DiagnosticEngine::report(Diagnostic d) {
  if (d.severity == Severity::Warning && werror_)
    d.severity = Severity::Error;
  if (d.severity == Severity::Error) ++errors_;
  if (d.severity == Severity::Warning) ++warnings_;
  if (d.sourceLine.empty() && d.loc.valid() && d.loc.line)
    d.sourceLine = lineOf(d.loc.file, d.loc.line);
  if (format_ == DiagnosticFormat::Json)
    collected_.push_back(std::move(d));
  else
    renderText(d);
}

void DiagnosticEngine::error(SourceLocation loc, std::string message, std::vector<DiagnosticNote> notes) {
  report({Severity::Error, std::move(loc), std::move(message), std::move(notes), {}});
}

void DiagnosticEngine::warning(SourceLocation loc, std::string message, std::vector<DiagnosticNote> notes) {
  report({Severity::Warning, std::move(loc), std::move(message), std::move(notes), {}});
}

void DiagnosticEngine::error(std::string message, std::vector<DiagnosticNote> notes) {
  error(SourceLocation{}, std::move(message), std::move(notes));
}

void DiagnosticEngine::renderLocation(const SourceLocation &loc) {
  if (colors_) std::fputs("\033[1m", out_);
  if (loc.valid()) {
    std::fputs(loc.file.c_str(), out_);
    if (loc.line) std::fprintf(out_, ":%u", loc.line);
    if (loc.line && loc.column) std::fprintf(out_, ":%u", loc.column);
  } else {
    std::fputs(toolName_.c_str(), out_);
  }
  std::fputs(": ", out_);
  if (colors_) std::fputs("\033[0m", out_);
}

void DiagnosticEngine::renderSourceLine(const SourceLocation &loc, const std::string &text) {
  if (text.empty())
    return;
  // clang 19's layout: a gutter with the line number, the caret line below.
  std::fprintf(out_, "%5u | %s\n", loc.line, text.c_str());
  if (!loc.column)
    return;
  // Keep tabs so the caret lines up under the same column.
  std::string pad;
  for (unsigned i = 0; i + 1 < loc.column && i < text.size(); ++i)
    pad += text[i] == '\t' ? '\t' : ' ';
  std::fprintf(out_, "      | %s%s^%s\n", pad.c_str(), colors_ ? "\033[1;32m" : "", colors_ ? "\033[0m" : "");
}

void DiagnosticEngine::renderText(const Diagnostic &d) {
  renderLocation(d.loc);
  if (colors_) std::fputs(severityColor(d.severity), out_);
  std::fprintf(out_, "%s: ", severityName(d.severity));
  if (colors_) std::fputs("\033[0m\033[1m", out_);
  std::fputs(d.message.c_str(), out_);
  if (colors_) std::fputs("\033[0m", out_);
  std::fputc('\n', out_);
  renderSourceLine(d.loc, d.sourceLine);
  for (const DiagnosticNote &note : d.notes) {
    if (note.loc.valid())
      renderLocation(note.loc);
    if (colors_) std::fputs(severityColor(Severity::Note), out_);
    std::fputs("note: ", out_);
    if (colors_) std::fputs("\033[0m", out_);
    std::fprintf(out_, "%s\n", note.message.c_str());
    if (note.loc.valid() && note.loc.line)
      renderSourceLine(note.loc, lineOf(note.loc.file, note.loc.line));
  }
  std::fflush(out_);
}

void DiagnosticEngine::flush() {
  if (format_ != DiagnosticFormat::Json || flushed_)
    return;
  flushed_ = true;
  auto locationFields = [](const SourceLocation &loc) {
    std::string s = "\"file\": " + (loc.valid() ? jsonQuote(loc.file) : std::string("null"));
    s += ", \"line\": " + std::to_string(loc.line) + ", \"column\": " + std::to_string(loc.column);
    return s;
  };
  std::string out = "[";
  for (size_t i = 0; i < collected_.size(); ++i) {
    const Diagnostic &d = collected_[i];
    out += i ? ",\n " : "\n ";
    out += "{\"severity\": \"" + std::string(severityName(d.severity)) + "\", ";
    out += locationFields(d.loc);
    out += ", \"message\": " + jsonQuote(d.message);
    out += ", \"source_line\": " + jsonQuote(d.sourceLine);
    out += ", \"notes\": [";
    for (size_t n = 0; n < d.notes.size(); ++n) {
      out += n ? ", " : "";
      out += "{" + locationFields(d.notes[n].loc) + ", \"message\": " + jsonQuote(d.notes[n].message) + "}";
    }
    out += "]}";
  }
  out += collected_.empty() ? "]\n" : "\n]\n";
  std::fputs(out.c_str(), out_);
  std::fflush(out_);
}

} // namespace ebpfc::ir
