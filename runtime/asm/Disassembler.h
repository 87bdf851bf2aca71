// Instructions to text, in either assembler dialect:
//  - Llvm: the syntax llvm-objdump-19 -d --mattr=+alu32 prints
//    (`r0 = *(u64 *)(r10 - 0x8)`, `if w1 > w2 goto +0x3`, `call 0x1`);
//  - Conformance: the bpf_conformance dialect (`ldxdw %r0, [%r10-8]`,
//    `jgt32 %r1, %r2, +3`, `lock fetch add [%r10-8], %r1`).
// Where LLVM's text cannot tell encodings apart, this prints an extension the
// assembler reads back: `call pc+0x3` (local call, as bpftool prints it),
// `call kfunc 0x5`, `ld_pseudo r1, 0x5, 0x2, 0x8` (ld_imm64 with a pseudo
// source and a second immediate). Encodings that are not valid instructions
// print as `.quad 0x...` (the raw little-endian word), which both dialects
// assemble back to the same bytes.
#pragma once

#include "runtime/Insn.h"

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ebpfc::runtime {

enum class AsmDialect { Llvm, Conformance };

std::string_view dialectName(AsmDialect dialect); // "llvm", "conformance"
std::optional<AsmDialect> parseDialect(std::string_view name);

// The instruction starting at insns[index] (ld_imm64 reads insns[index + 1]).
std::string disassembleInsn(std::span<const Insn> insns, size_t index, AsmDialect dialect);

struct ListingOptions {
  AsmDialect dialect = AsmDialect::Llvm;
  // Jump and local-call targets become labels `L<index>:`, so that the text
  // still assembles to the same program after lines are inserted.
  bool labels = false;
  // Prefix each line with its slot index, as llvm-objdump does.
  bool indexes = false;
};

// The program as text, one instruction per line (ld_imm64 on one line).
std::string disassembleProgram(std::span<const Insn> insns, const ListingOptions &options);

// The raw 64-bit word of a slot, as `-- raw` sections and `.quad` write it.
uint64_t insnWord(const Insn &insn);
Insn insnFromWord(uint64_t word);

} // namespace ebpfc::runtime
