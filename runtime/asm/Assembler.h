// Text to instructions, in either dialect (see Disassembler.h): everything
// the disassembler prints assembles back to the same bytes, and so does the
// instruction text llvm-objdump-19 -d prints (its `<.text+0x..>` target
// annotations are skipped). Labels are `name:`; jumps, `call NAME` (LLVM) /
// `call local NAME` (conformance) and ld_pseudo with source 4 (function)
// may name them. In the conformance dialect the target `exit` means the first
// `exit` instruction unless a label of that name exists, as in bpf_conformance.
// Comments start with `#` (both dialects), `//` or `;` (LLVM dialect).
#pragma once

#include "ir/Diagnostics.h"
#include "runtime/Insn.h"
#include "runtime/asm/Disassembler.h"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ebpfc::runtime {

struct AssembleOptions {
  AsmDialect dialect = AsmDialect::Llvm;
  // For diagnostics: the file the text comes from and the line number of
  // its first line there (text embedded in a larger file starts later).
  std::string fileName = "<input>";
  unsigned firstLine = 1;
};

struct AssembledProgram {
  std::vector<Insn> insns;
  std::map<std::string, uint32_t> labels; // label -> slot index
  std::vector<unsigned> sourceLines;      // per slot: its line in the file (1-based)
  // One error per bad line (file:line:col, message, the line's text).
  std::vector<ir::Diagnostic> errors;

  bool ok() const { return errors.empty(); }
  // The errors rendered as `file:line:col: error: message` plus the line and a caret.
  std::string errorText() const;
};

AssembledProgram assemble(std::string_view text, const AssembleOptions &options);

// The dialect of a text: conformance when it uses `%r` registers or
// conformance mnemonics, LLVM otherwise.
AsmDialect detectDialect(std::string_view text);

} // namespace ebpfc::runtime
