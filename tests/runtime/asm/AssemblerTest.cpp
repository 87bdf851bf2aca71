// The assembler and disassembler: exact encodings of each syntax form in
// both dialects, round trips of every valid encoding, labels, errors.
#include "runtime/asm/Assembler.h"
#include "runtime/asm/Disassembler.h"
#include "runtime/asm/Isa.h"

#include <gtest/gtest.h>

namespace ebpfc::runtime {
namespace {

std::vector<uint64_t> assembleWords(std::string_view text, AsmDialect dialect) {
  AssembleOptions options;
  options.dialect = dialect;
  options.fileName = "test.s";
  AssembledProgram program = assemble(text, options);
  EXPECT_TRUE(program.ok()) << program.errorText();
  std::vector<uint64_t> words;
  for (const Insn &insn : program.insns)
    words.push_back(insnWord(insn));
  return words;
}

std::vector<Insn> insnsOf(const std::vector<uint64_t> &words) {
  std::vector<Insn> insns;
  for (uint64_t word : words)
    insns.push_back(insnFromWord(word));
  return insns;
}

struct Form {
  const char *llvm;
  const char *conformance;
  std::vector<uint64_t> words;
};

// Canonical text in both dialects (as the disassembler prints it) and the encoding.
const Form kForms[] = {
    {"r0 = r2", "mov %r0, %r2", {0x00000000000020bf}},
    {"w0 = w2", "mov32 %r0, %r2", {0x00000000000020bc}},
    {"r0 = 0x5", "mov %r0, 5", {0x00000005000000b7}},
    {"w1 = -0x1", "mov32 %r1, -1", {0xffffffff000001b4}},
    {"r0 += r1", "add %r0, %r1", {0x000000000000100f}},
    {"w0 += 0x1", "add32 %r0, 1", {0x0000000100000004}},
    {"r3 -= 0x12345", "sub %r3, 0x12345", {0x0001234500000317}},
    {"r0 *= r1", "mul %r0, %r1", {0x000000000000102f}},
    {"r0 /= r1", "div %r0, %r1", {0x000000000000103f}},
    {"w0 %= 0x3", "mod32 %r0, 3", {0x0000000300000094}},
    {"r0 s/= r1", "sdiv %r0, %r1", {0x000000000001103f}},
    {"w0 s%= -0x3", "smod32 %r0, -3", {0xfffffffd00010094}},
    {"r0 |= r1", "or %r0, %r1", {0x000000000000104f}},
    {"r0 &= 0xff", "and %r0, 255", {0x000000ff00000057}},
    {"r0 <<= 0x3", "lsh %r0, 3", {0x0000000300000067}},
    {"w0 >>= w1", "rsh32 %r0, %r1", {0x000000000000107c}},
    {"r0 s>>= 0x2", "arsh %r0, 2", {0x00000002000000c7}},
    {"r0 ^= r1", "xor %r0, %r1", {0x00000000000010af}},
    {"r4 = -r4", "neg %r4", {0x0000000000000487}},
    {"w4 = -w4", "neg32 %r4", {0x0000000000000484}},
    {"r0 = (s8)r1", "movsx864 %r0, %r1", {0x00000000000810bf}},
    {"r0 = (s32)r1", "movsx3264 %r0, %r1", {0x00000000002010bf}},
    {"w0 = (s16)w1", "movsx1632 %r0, %r1", {0x00000000001010bc}},
    {"r0 = be16 r0", "be16 %r0", {0x00000010000000dc}},
    {"r0 = le64 r0", "le64 %r0", {0x00000040000000d4}},
    {"r0 = bswap32 r0", "bswap32 %r0", {0x00000020000000d7}},
    {"r0 = 0x1122334455667788 ll", "lddw %r0, 0x1122334455667788", {0x5566778800000018, 0x1122334400000000}},
    {"r0 = -0x1 ll", "lddw %r0, 0xffffffffffffffff", {0xffffffff00000018, 0xffffffff00000000}},
    {"ld_pseudo r1, 0x5, 0x3", "ld_pseudo %r1, 5, 3", {0x0000000300005118, 0}},
    {"ld_pseudo r1, 0x6, 0x2, 0x10", "ld_pseudo %r1, 6, 2, 16", {0x0000000200006118, 0x0000001000000000}},
    {"r0 = *(u32 *)skb[0xc]", "ldabsw 12", {0x0000000c00000020}},
    {"r0 = *(u16 *)skb[r3]", "ldindh %r3, 0", {0x0000000000003048}},
    {"w0 = *(u8 *)(r1 + 0x0)", "ldxb %r0, [%r1]", {0x0000000000001071}},
    {"w0 = *(u16 *)(r1 - 0x2)", "ldxh %r0, [%r1-2]", {0x00000000fffe1069}},
    {"w0 = *(u32 *)(r1 + 0x4)", "ldxw %r0, [%r1+4]", {0x0000000000041061}},
    {"r0 = *(u64 *)(r10 - 0x8)", "ldxdw %r0, [%r10-8]", {0x00000000fff8a079}},
    {"r0 = *(s8 *)(r1 + 0x1)", "ldxsb %r0, [%r1+1]", {0x0000000000011091}},
    {"r0 = *(s16 *)(r1 + 0x0)", "ldxsh %r0, [%r1]", {0x0000000000001089}},
    {"r0 = *(s32 *)(r1 + 0x0)", "ldxsw %r0, [%r1]", {0x0000000000001081}},
    {"*(u8 *)(r10 - 0x1) = w1", "stxb [%r10-1], %r1", {0x00000000ffff1a73}},
    {"*(u64 *)(r10 - 0x8) = r1", "stxdw [%r10-8], %r1", {0x00000000fff81a7b}},
    {"*(u32 *)(r10 - 0x4) = -0x5", "stw [%r10-4], -5", {0xfffffffbfffc0a62}},
    {"*(u16 *)(r1 + 0x2) = 0x7", "sth [%r1+2], 7", {0x000000070002016a}},
    {"lock *(u64 *)(r10 - 0x8) += r1", "lock add [%r10-8], %r1", {0x00000000fff81adb}},
    {"lock *(u32 *)(r10 - 0x8) |= w1", "lock or32 [%r10-8], %r1", {0x00000040fff81ac3}},
    {"r1 = atomic_fetch_xor((u64 *)(r10 - 0x8), r1)", "lock fetch xor [%r10-8], %r1", {0x000000a1fff81adb}},
    {"w1 = atomic_fetch_and((u32 *)(r10 - 0x8), w1)", "lock fetch and32 [%r10-8], %r1", {0x00000051fff81ac3}},
    {"r1 = xchg_64(r10 - 0x8, r1)", "lock xchg [%r10-8], %r1", {0x000000e1fff81adb}},
    {"w1 = xchg32_32(r10 - 0x8, w1)", "lock xchg32 [%r10-8], %r1", {0x000000e1fff81ac3}},
    {"r0 = cmpxchg_64(r10 - 0x8, r0, r1)", "lock cmpxchg [%r10-8], %r1", {0x000000f1fff81adb}},
    {"w0 = cmpxchg32_32(r10 - 0x8, w0, w1)", "lock cmpxchg32 [%r10-8], %r1", {0x000000f1fff81ac3}},
    {"goto +0x1", "ja +1", {0x0000000000010005}},
    {"goto -0x1", "ja -1", {0x00000000ffff0005}},
    {"gotol +0x1", "ja32 +1", {0x0000000100000006}},
    {"if r1 > r2 goto +0x3", "jgt %r1, %r2, +3", {0x000000000003212d}},
    {"if r1 s> 0x3 goto -0x3", "jsgt %r1, 3, -3", {0x00000003fffd0165}},
    {"if w1 == w2 goto +0x1", "jeq32 %r1, %r2, +1", {0x000000000001211e}},
    {"if w1 != 0x5 goto +0x0", "jne32 %r1, 5, +0", {0x0000000500000156}},
    {"if r1 & r2 goto +0x1", "jset %r1, %r2, +1", {0x000000000001214d}},
    {"if r1 s<= -0x1 goto +0x1", "jsle %r1, -1, +1", {0xffffffff000101d5}},
    {"if w1 s< w2 goto +0x2", "jslt32 %r1, %r2, +2", {0x00000000000221ce}},
    {"call 0x1", "call 1", {0x0000000100000085}},
    {"call pc-0x1", "call local -1", {0xffffffff00001085}},
    {"call kfunc 0x7", "call runtime 7", {0x0000000700002085}},
    {"callx r2", "call %r2", {0x000000000000028d}},
    {"exit", "exit", {0x0000000000000095}},
    {".quad 0x00000000000000ff", ".quad 0x00000000000000ff", {0x00000000000000ff}},
};

TEST(Assembler, EveryFormInBothDialects) {
  for (const Form &form : kForms) {
    EXPECT_EQ(assembleWords(form.llvm, AsmDialect::Llvm), form.words) << form.llvm;
    EXPECT_EQ(assembleWords(form.conformance, AsmDialect::Conformance), form.words) << form.conformance;
    const std::vector<Insn> insns = insnsOf(form.words);
    EXPECT_EQ(disassembleInsn(insns, 0, AsmDialect::Llvm), form.llvm);
    EXPECT_EQ(disassembleInsn(insns, 0, AsmDialect::Conformance), form.conformance);
  }
}

TEST(Assembler, AcceptsObjdumpAnnotationsAndNonCanonicalSpellings) {
  EXPECT_EQ(assembleWords("if r1 > r2 goto +0x3 <.text+0x230>", AsmDialect::Llvm),
            assembleWords("if r1 > r2 goto +3", AsmDialect::Llvm));
  EXPECT_EQ(assembleWords("r0 = *(u32 *)(r1 + 4)", AsmDialect::Llvm),
            assembleWords("w0 = *(u32 *)(r1 + 0x4)", AsmDialect::Llvm));
  EXPECT_EQ(assembleWords("lock *(u32 *)(r10 - 8) += r1", AsmDialect::Llvm),
            assembleWords("lock *(u32 *)(r10 - 0x8) += w1", AsmDialect::Llvm));
  EXPECT_EQ(assembleWords("w1 = 0xffffffff", AsmDialect::Llvm), assembleWords("w1 = -1", AsmDialect::Llvm));
  EXPECT_EQ(assembleWords("swap16 %r0", AsmDialect::Conformance), assembleWords("bswap16 %r0", AsmDialect::Conformance));
  EXPECT_EQ(assembleWords("call helper 5", AsmDialect::Conformance), assembleWords("call 5", AsmDialect::Conformance));
  EXPECT_EQ(assembleWords("add64 %r0, 1", AsmDialect::Conformance), assembleWords("add %r0, 1", AsmDialect::Conformance));
  EXPECT_EQ(assembleWords("mov %r0, 0x80000000", AsmDialect::Conformance),
            assembleWords("mov %r0, -2147483648", AsmDialect::Conformance));
}

TEST(Assembler, LabelsInBothDialects) {
  const std::vector<uint64_t> expected = {0x0000000000010005, 0x00000001000000b7, 0x0000000000000095,
                                          0x00000000fffc0005, 0xfffffffb00001085};
  EXPECT_EQ(assembleWords("start:\ngoto skip\nr0 = 1\nskip: exit\ngoto start\ncall start", AsmDialect::Llvm), expected);
  EXPECT_EQ(assembleWords("start:\nja skip\nmov %r0, 1\nskip: exit\nja start\ncall local start", AsmDialect::Conformance),
            expected);
  // The conformance dialect's implicit `exit` label is the first exit.
  EXPECT_EQ(assembleWords("jeq %r1, 0, exit\nmov %r0, 1\nexit\nexit", AsmDialect::Conformance),
            (std::vector<uint64_t>{0x0000000000010115, 0x00000001000000b7, 0x95, 0x95}));
  // A function value names its label.
  EXPECT_EQ(assembleWords("ld_pseudo r1, 4, f\nexit\nf: exit", AsmDialect::Llvm),
            (std::vector<uint64_t>{0x0000000200004118, 0, 0x95, 0x95}));
}

TEST(Assembler, ErrorsNameFileLineAndColumn) {
  AssembleOptions options;
  options.fileName = "prog.s";
  options.firstLine = 10;
  AssembledProgram program = assemble("r0 = 1\nr0 += r11\nr1 = *(u128 *)(r1 + 0)\ngoto nowhere\nfrob r1\n", options);
  ASSERT_EQ(program.errors.size(), 4u);
  EXPECT_EQ(program.errors[0].loc.line, 11u);
  EXPECT_EQ(program.errors[0].loc.column, 7u);
  EXPECT_EQ(program.errors[1].message, "expected an access type (u8, u16, u32, u64, s8, s16, s32)");
  EXPECT_EQ(program.errors[2].message, "unknown instruction 'frob'");
  EXPECT_EQ(program.errors[3].message, "undefined label 'nowhere'");
  EXPECT_EQ(program.errors[3].loc.line, 13u);
  const std::string text = program.errorText();
  EXPECT_NE(text.find("prog.s:11:7: error: expected a register or an immediate"), std::string::npos)
      << text;
  EXPECT_NE(text.find("   11 | r0 += r11"), std::string::npos) << text;

  options.dialect = AsmDialect::Conformance;
  program = assemble("mov %r0, 0x100000000\nldxw %r0, [%r1+40000]\nmov %r11, 1\nlabel:\nlabel:\n", options);
  ASSERT_EQ(program.errors.size(), 4u);
  EXPECT_EQ(program.errors[0].message, "immediate out of range for 32 bits");
  EXPECT_EQ(program.errors[0].loc.column, 10u);
  EXPECT_EQ(program.errors[1].message, "offset out of range for 16 bits");
  EXPECT_EQ(program.errors[2].message, "invalid register '%r11'");
  EXPECT_EQ(program.errors[3].message, "label 'label' is already defined");
}

TEST(Assembler, DetectsTheDialect) {
  EXPECT_EQ(detectDialect("# comment\nmov %r0, 1\nexit"), AsmDialect::Conformance);
  EXPECT_EQ(detectDialect("f:\ncall local f\nexit"), AsmDialect::Conformance);
  EXPECT_EQ(detectDialect("exit\nja +1\n"), AsmDialect::Conformance);
  EXPECT_EQ(detectDialect("r0 = 1\nexit"), AsmDialect::Llvm);
  EXPECT_EQ(detectDialect("r0 %= r1"), AsmDialect::Llvm);
  EXPECT_EQ(detectDialect("if r1 > r2 goto +1"), AsmDialect::Llvm);
}

// Every valid encoding over a spread of field values round-trips through
// the text of both dialects; invalid ones through `.quad`.
TEST(Assembler, EveryEncodingRoundTrips) {
  const int16_t offsets[] = {0, 1, -1, 8, 16, 32, 0x7fff, -0x8000};
  const int32_t imms[] = {0, 1, -1, 16, 32, 64, 0x7fffffff, INT32_MIN, 0x40, 0x41, 0x51, 0xa1, 0xe1, 0xf1, 0x10000};
  unsigned valid = 0, invalid = 0;
  for (unsigned opcode = 0; opcode < 256; ++opcode)
    for (uint8_t dst : {0, 10, 11})
      for (uint8_t src : {0, 1, 4, 6, 12})
        for (int16_t offset : offsets)
          for (int32_t imm : imms) {
            Insn insn{uint8_t(opcode), uint8_t(dst & 0xf), uint8_t(src & 0xf), offset, imm};
            std::vector<Insn> insns = {insn};
            if (opcode == op::kLdImm64)
              insns.push_back(insnFromWord(uint64_t(uint32_t(imm ^ 0x5a5a)) << 32));
            const bool isValid = decodeInsn(insn).kind != InsnKind::Invalid;
            (isValid ? valid : invalid) += 1;
            for (AsmDialect dialect : {AsmDialect::Llvm, AsmDialect::Conformance}) {
              const std::string text = disassembleProgram(insns, ListingOptions{dialect});
              AssembleOptions options;
              options.dialect = dialect;
              AssembledProgram program = assemble(text, options);
              ASSERT_TRUE(program.ok()) << text << program.errorText();
              ASSERT_EQ(program.insns.size(), insns.size()) << text;
              for (size_t i = 0; i < insns.size(); ++i)
                ASSERT_EQ(insnWord(program.insns[i]), insnWord(insns[i])) << text;
            }
          }
  EXPECT_GT(valid, 10000u);
  EXPECT_GT(invalid, 10000u);
}

TEST(Assembler, ListingsWithLabelsReassemble) {
  const char *text = "mov %r0, 0\nloop:\nadd %r0, 1\nlddw %r2, 5\njlt %r0, 10, loop\ncall local f\nexit\n"
                     "f:\nld_pseudo %r1, 4, f\nja32 done\ndone:\nexit\n";
  const std::vector<uint64_t> words = assembleWords(text, AsmDialect::Conformance);
  const std::vector<Insn> insns = insnsOf(words);
  for (AsmDialect dialect : {AsmDialect::Llvm, AsmDialect::Conformance}) {
    const std::string listing = disassembleProgram(insns, ListingOptions{dialect, true});
    EXPECT_NE(listing.find("L1:"), std::string::npos) << listing;
    EXPECT_EQ(assembleWords(listing, dialect), words) << listing;
  }
  const std::string listing = disassembleProgram(insns, ListingOptions{AsmDialect::Llvm, true});
  EXPECT_TRUE(listing.starts_with("r0 = 0x0\nL1:\nr0 += 0x1\nr2 = 0x5 ll\nif r0 < 0xa goto L1\n")) << listing;
}

} // namespace
} // namespace ebpfc::runtime
