#include "runtime/asm/Assembler.h"

#include "runtime/asm/AsmParser.h"
#include "runtime/asm/Disassembler.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace ebpfc::runtime {

namespace asmparse {

namespace {

bool isIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }
bool isIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }

// Operators, longest first so that `<<=` wins over `<<` and `<`.
constexpr std::string_view kPuncts[] = {"<<=", ">>=", "+=", "-=", "*=", "/=", "%=", "|=", "&=", "^=",
                                        "==",  "!=",  ">=", "<=", "=",  "+",  "-",  "*",  "/",  "%",
                                        "|",   "&",   "^",  ">",  "<",  "(",  ")",  "[",  "]",  ",",
                                        ":"};

} // namespace

std::vector<Token> tokenize(std::string_view line, bool percentRegisters) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < line.size()) {
    const char c = line[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      i += 1;
      continue;
    }
    Token token;
    token.column = unsigned(i + 1);
    const size_t start = i;
    if (std::isdigit(static_cast<unsigned char>(c))) {
      token.kind = Token::Number;
      const bool hex = c == '0' && i + 1 < line.size() && (line[i + 1] == 'x' || line[i + 1] == 'X');
      if (hex)
        i += 2;
      const size_t digitsStart = i;
      while (i < line.size() && isIdentChar(line[i]))
        i += 1;
      token.text = line.substr(start, i - start);
      const std::string digits(line.substr(digitsStart, i - digitsStart));
      char *end = nullptr;
      errno = 0;
      token.number = digits.empty() ? 0 : std::strtoull(digits.c_str(), &end, hex ? 16 : 10);
      if (digits.empty() || *end != '\0')
        throw ParseError{token.column, "invalid number '" + std::string(token.text) + "'"};
      if (errno == ERANGE)
        throw ParseError{token.column, "number '" + std::string(token.text) + "' does not fit in 64 bits"};
    } else if (isIdentStart(c)) {
      token.kind = Token::Ident;
      while (i < line.size() && isIdentChar(line[i]))
        i += 1;
      token.text = line.substr(start, i - start);
    } else if (c == '%' && percentRegisters && i + 1 < line.size() && isIdentStart(line[i + 1])) {
      token.kind = Token::Register;
      i += 1;
      while (i < line.size() && isIdentChar(line[i]))
        i += 1;
      token.text = line.substr(start, i - start);
    } else {
      token.kind = Token::Punct;
      for (std::string_view punct : kPuncts) {
        if (line.substr(i, punct.size()) == punct) {
          token.text = line.substr(i, punct.size());
          break;
        }
      }
      if (token.text.empty())
        throw ParseError{token.column, std::string("unexpected character '") + c + "'"};
      i += token.text.size();
    }
    tokens.push_back(token);
  }
  Token end;
  end.column = unsigned(line.size() + 1);
  tokens.push_back(end);
  return tokens;
}

int32_t Number::imm32() const {
  if (negative ? magnitude > 0x80000000ull : magnitude > 0xffffffffull)
    throw ParseError{column, "immediate out of range for 32 bits"};
  return negative ? int32_t(uint32_t(0) - uint32_t(magnitude)) : int32_t(uint32_t(magnitude));
}

int32_t Number::signed32() const {
  if (negative ? magnitude > 0x80000000ull : magnitude > 0x7fffffffull)
    throw ParseError{column, "value out of range for a signed 32-bit field"};
  return negative ? int32_t(uint32_t(0) - uint32_t(magnitude)) : int32_t(magnitude);
}

int16_t Number::offset16() const {
  if (negative ? magnitude > 0x8000 : magnitude > 0x7fff)
    throw ParseError{column, "offset out of range for 16 bits"};
  return negative ? int16_t(uint16_t(0) - uint16_t(magnitude)) : int16_t(magnitude);
}

int64_t Number::imm64() const {
  if (negative && magnitude > 0x8000000000000000ull)
    throw ParseError{column, "immediate out of range for 64 bits"};
  return negative ? int64_t(uint64_t(0) - magnitude) : int64_t(magnitude);
}

const Token &Cursor::peek(size_t ahead) const {
  const size_t index = pos_ + ahead;
  return index < tokens_.size() ? tokens_[index] : tokens_.back();
}

const Token &Cursor::next() {
  const Token &token = peek();
  if (pos_ + 1 < tokens_.size())
    pos_ += 1;
  return token;
}

bool Cursor::peekPunct(std::string_view text, size_t ahead) const {
  return peek(ahead).kind == Token::Punct && peek(ahead).text == text;
}

bool Cursor::peekIdent(std::string_view text, size_t ahead) const {
  return peek(ahead).kind == Token::Ident && peek(ahead).text == text;
}

bool Cursor::acceptPunct(std::string_view text) {
  if (!peekPunct(text))
    return false;
  next();
  return true;
}

bool Cursor::acceptIdent(std::string_view text) {
  if (!peekIdent(text))
    return false;
  next();
  return true;
}

void Cursor::expectPunct(std::string_view text) {
  if (!acceptPunct(text))
    failHere("expected '" + std::string(text) + "'");
}

void Cursor::expectIdent(std::string_view text) {
  if (!acceptIdent(text))
    failHere("expected '" + std::string(text) + "'");
}

void Cursor::expectEnd() {
  if (!atEnd())
    failHere("unexpected '" + std::string(peek().text) + "' after the instruction");
}

bool Cursor::peekNumber() const {
  if (peek().kind == Token::Number)
    return true;
  return (peekPunct("-") || peekPunct("+")) && peek(1).kind == Token::Number;
}

Number Cursor::number(const char *what) {
  Number n;
  n.column = peek().column;
  if (acceptPunct("-"))
    n.negative = true;
  else
    acceptPunct("+");
  if (peek().kind != Token::Number)
    failHere(std::string("expected ") + what);
  n.magnitude = next().number;
  if (n.magnitude == 0)
    n.negative = false;
  return n;
}

void Cursor::fail(const Token &at, std::string message) const {
  throw ParseError{at.column, std::move(message)};
}

void ProgramBuilder::emitLoadImm64(uint8_t dst, uint8_t src, int64_t value) {
  emitLoadImm64(dst, src, int32_t(uint32_t(uint64_t(value))), int32_t(uint32_t(uint64_t(value) >> 32)));
}

void ProgramBuilder::emitLoadImm64(uint8_t dst, uint8_t src, int32_t low, int32_t high) {
  Insn first{};
  first.opcode = op::kLdImm64;
  first.dst = dst & 0xf;
  first.src = src & 0xf;
  first.imm = low;
  Insn second{};
  second.imm = high;
  emit(first);
  emit(second);
}

bool ProgramBuilder::defineLabel(const std::string &name) {
  return out_.labels.emplace(name, uint32_t(size())).second;
}

void ProgramBuilder::defineFallbackLabel(const std::string &name, size_t index) {
  fallbackLabels_.emplace(name, uint32_t(index));
}

void ProgramBuilder::referenceLabel(size_t insn, const std::string &label, FixupField field,
                                    unsigned line, unsigned column) {
  references_.push_back({insn, label, field, line, column});
}

void ProgramBuilder::resolve(const AssembleOptions &options, const std::vector<std::string_view> &lines) {
  for (const Reference &ref : references_) {
    auto it = out_.labels.find(ref.label);
    std::optional<uint32_t> target;
    if (it != out_.labels.end())
      target = it->second;
    else if (auto fallback = fallbackLabels_.find(ref.label); fallback != fallbackLabels_.end())
      target = fallback->second;
    auto error = [&](std::string message) {
      ir::Diagnostic d;
      d.loc = {options.fileName, options.firstLine + ref.line, ref.column};
      d.message = std::move(message);
      d.sourceLine = std::string(lines[ref.line]);
      out_.errors.push_back(std::move(d));
    };
    if (!target) {
      error("undefined label '" + ref.label + "'");
      continue;
    }
    const int64_t relative = int64_t(*target) - int64_t(ref.insn) - 1;
    Insn &insn = out_.insns[ref.insn];
    if (ref.field == FixupField::Offset16) {
      if (relative < INT16_MIN || relative > INT16_MAX) {
        error("label '" + ref.label + "' is out of range of a 16-bit jump offset");
        continue;
      }
      insn.offset = int16_t(relative);
    } else {
      insn.imm = int32_t(relative);
    }
  }
}

std::optional<Reg> llvmRegister(std::string_view text) {
  if (text.size() < 2 || (text[0] != 'r' && text[0] != 'w'))
    return std::nullopt;
  const std::string_view digits = text.substr(1);
  if (digits == "10")
    return Reg{10, text[0] == 'r'};
  if (digits.size() == 1 && digits[0] >= '0' && digits[0] <= '9')
    return Reg{uint8_t(digits[0] - '0'), text[0] == 'r'};
  return std::nullopt;
}

} // namespace asmparse

namespace {

// The line without its comment.
std::string_view stripComment(std::string_view line, AsmDialect dialect) {
  size_t cut = line.find('#');
  if (dialect == AsmDialect::Llvm) {
    cut = std::min(cut, line.find("//"));
    cut = std::min(cut, line.find(';'));
  }
  return cut == std::string_view::npos ? line : line.substr(0, cut);
}

std::vector<std::string_view> splitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos)
      end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    lines.push_back(line);
    if (end == text.size())
      break;
    start = end + 1;
  }
  return lines;
}

} // namespace

AssembledProgram assemble(std::string_view text, const AssembleOptions &options) {
  using namespace asmparse;
  AssembledProgram program;
  ProgramBuilder builder(program);
  const bool conformance = options.dialect == AsmDialect::Conformance;
  const std::vector<std::string_view> lines = splitLines(text);
  bool sawExit = false;

  auto assembleLine = [&](unsigned lineIndex) {
    Cursor cursor(tokenize(stripComment(lines[lineIndex], options.dialect), conformance));
    // Labels: `name:` (several may precede one instruction).
    while (cursor.peek().kind == Token::Ident && cursor.peekPunct(":", 1)) {
      const Token &name = cursor.next();
      cursor.next();
      if (!builder.defineLabel(std::string(name.text)))
        cursor.fail(name, "label '" + std::string(name.text) + "' is already defined");
    }
    if (cursor.atEnd())
      return;
    // bpf_conformance's implicit label: `exit` is the first exit instruction.
    if (conformance && !sawExit && cursor.peekIdent("exit")) {
      builder.defineFallbackLabel("exit", builder.size());
      sawExit = true;
    }
    if (cursor.acceptIdent(".quad")) {
      const Number word = cursor.number("a 64-bit word");
      cursor.expectEnd();
      return builder.emit(insnFromWord(uint64_t(word.imm64())));
    }
    if (conformance)
      parseConformanceInsn(cursor, builder, lineIndex);
    else
      parseLlvmInsn(cursor, builder, lineIndex);
  };

  for (unsigned lineIndex = 0; lineIndex < lines.size(); ++lineIndex) {
    try {
      assembleLine(lineIndex);
    } catch (const ParseError &e) {
      ir::Diagnostic d;
      d.loc = {options.fileName, options.firstLine + lineIndex, e.column};
      d.message = e.message;
      d.sourceLine = std::string(lines[lineIndex]);
      program.errors.push_back(std::move(d));
    }
    program.sourceLines.resize(program.insns.size(), options.firstLine + lineIndex);
  }
  builder.resolve(options, lines);
  return program;
}

std::string AssembledProgram::errorText() const {
  char *buffer = nullptr;
  size_t size = 0;
  std::FILE *out = open_memstream(&buffer, &size);
  {
    ir::DiagnosticEngine engine(ir::DiagnosticFormat::Text, out, "ebpfvm");
    for (const ir::Diagnostic &d : errors)
      engine.report(d);
  }
  std::fclose(out);
  std::string text(buffer, size);
  std::free(buffer);
  return text;
}

AsmDialect detectDialect(std::string_view text) {
  static constexpr std::string_view kConformanceMnemonics[] = {
      "mov", "add", "sub", "mul", "div", "or", "and", "lsh", "rsh", "neg", "mod", "xor", "arsh",
      "lddw", "ldx", "st", "ja", "jeq", "jgt", "jge", "jlt", "jle", "jset", "jne", "jsgt", "jsge",
      "jslt", "jsle", "be", "le", "swap", "bswap", "sdiv", "smod", "movsx"};
  for (std::string_view line : splitLines(text)) {
    line = stripComment(line, AsmDialect::Conformance);
    if (line.find('%') != std::string_view::npos && line.find("%=") == std::string_view::npos)
      return AsmDialect::Conformance;
    if (line.find('=') != std::string_view::npos || line.find("goto") != std::string_view::npos)
      return AsmDialect::Llvm;
    if (line.find("call local") != std::string_view::npos || line.find("call runtime") != std::string_view::npos ||
        (line.find('[') != std::string_view::npos && line.find("skb[") == std::string_view::npos))
      return AsmDialect::Conformance;
    // The first word, past any labels.
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string_view::npos)
      continue;
    std::string_view word = line.substr(start, line.find_first_of(" \t", start) - start);
    if (word.ends_with(':'))
      continue;
    for (std::string_view mnemonic : kConformanceMnemonics)
      if (word.starts_with(mnemonic))
        return AsmDialect::Conformance;
  }
  return AsmDialect::Llvm;
}

} // namespace ebpfc::runtime
