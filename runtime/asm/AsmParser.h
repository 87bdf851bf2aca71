// Internals of the assembler shared by the two dialect parsers: a lexer for
// one line, a token cursor that reports errors at a column, and the program
// builder that resolves labels.
#pragma once

#include "runtime/Insn.h"
#include "runtime/asm/Assembler.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ebpfc::runtime::asmparse {

struct Token {
  enum Kind { Ident, Number, Register, Punct, End } kind = End;
  std::string_view text;
  unsigned column = 0; // 1-based
  uint64_t number = 0; // Number: the value (magnitude; signs are Punct tokens)
};

// An error at a column of the current line.
struct ParseError {
  unsigned column;
  std::string message;
};

// Splits one line (comments already removed) into tokens. `%rN` is one
// Register token when `percentRegisters` is set (conformance dialect).
std::vector<Token> tokenize(std::string_view line, bool percentRegisters);

// A signed number as written: sign and magnitude, range-checked on use.
struct Number {
  bool negative = false;
  uint64_t magnitude = 0;
  unsigned column = 0;

  int32_t imm32() const;     // [-2^31, 2^32): larger unsigned values wrap to negative
  int16_t offset16() const;  // [-2^15, 2^15)
  int64_t imm64() const;     // [-2^63, 2^64)
  int32_t signed32() const;  // [-2^31, 2^31)
};

class Cursor {
public:
  explicit Cursor(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  const Token &peek(size_t ahead = 0) const;
  const Token &next();
  bool atEnd() const { return peek().kind == Token::End; }
  bool peekPunct(std::string_view text, size_t ahead = 0) const;
  bool peekIdent(std::string_view text, size_t ahead = 0) const;
  bool acceptPunct(std::string_view text);
  bool acceptIdent(std::string_view text);
  void expectPunct(std::string_view text);
  void expectIdent(std::string_view text);
  void expectEnd();
  // A number with an optional leading sign.
  Number number(const char *what);
  bool peekNumber() const;
  [[noreturn]] void fail(const Token &at, std::string message) const;
  [[noreturn]] void failHere(std::string message) const { fail(peek(), std::move(message)); }

private:
  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

// How a label reference is written into an instruction.
enum class FixupField { Offset16, Imm32 };

class ProgramBuilder {
public:
  explicit ProgramBuilder(AssembledProgram &out) : out_(out) {}

  size_t size() const { return out_.insns.size(); }
  void emit(Insn insn) { out_.insns.push_back(insn); }
  void emitLoadImm64(uint8_t dst, uint8_t src, int64_t value);
  void emitLoadImm64(uint8_t dst, uint8_t src, int32_t low, int32_t high);
  Insn &last() { return out_.insns.back(); }

  // Defines a label at the next instruction; false if already defined.
  bool defineLabel(const std::string &name);
  // The instruction at `insn` jumps or calls to `label` (relative to its end).
  void referenceLabel(size_t insn, const std::string &label, FixupField field, unsigned line,
                      unsigned column);
  // A name the conformance dialect resolves when no label of that name exists.
  void defineFallbackLabel(const std::string &name, size_t index);
  // Resolves label references; errors go to the program's error list.
  void resolve(const AssembleOptions &options, const std::vector<std::string_view> &lines);

private:
  struct Reference {
    size_t insn;
    std::string label;
    FixupField field;
    unsigned line;
    unsigned column;
  };
  AssembledProgram &out_;
  std::vector<Reference> references_;
  std::map<std::string, uint32_t> fallbackLabels_;
};

// Parses one instruction of the dialect (labels already consumed) and emits it.
void parseLlvmInsn(Cursor &cursor, ProgramBuilder &builder, unsigned line);
void parseConformanceInsn(Cursor &cursor, ProgramBuilder &builder, unsigned line);

// Registers: parses `rN`/`wN` (LLVM) into number and width; nullopt if not one.
struct Reg {
  uint8_t number;
  bool wide; // r (64-bit) vs w (32-bit)
};
std::optional<Reg> llvmRegister(std::string_view text);

} // namespace ebpfc::runtime::asmparse
