// Against LLVM itself: programs built by clang-19 for each ISA version,
// listed by llvm-objdump-19. Our disassembly of their bytes reads exactly
// like objdump's; assembling objdump's text, or ours, gives the same bytes.
#include "runtime/asm/Assembler.h"
#include "runtime/asm/Disassembler.h"
#include "runtime/asm/Isa.h"
#include "tests/support/Subprocess.h"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>

namespace ebpfc::runtime {
namespace {

// Written for this test: helpers, a legacy map, loops, calls, switches,
// 8..64-bit loads and stores, atomics, byte swaps, signed division.
constexpr const char *kSource = R"(
typedef unsigned long long u64; typedef unsigned int u32; typedef unsigned short u16; typedef unsigned char u8;
typedef long long s64; typedef int s32; typedef short s16; typedef signed char s8;
static void *(*lookup)(void *map, const void *key) = (void *)1;
static long (*tail_call)(void *ctx, void *map, u32 index) = (void *)12;
struct map_def { u32 type, key_size, value_size, max_entries, flags; };
struct map_def counters __attribute__((section("maps"), used)) = {2, 4, 8, 16, 0};
struct map_def jumps __attribute__((section("maps"), used)) = {3, 4, 4, 4, 0};
u64 total;
struct xdp_md { u32 data, data_end, data_meta, ingress_ifindex, rx_queue_index; };

static __attribute__((noinline)) u64 mix(u64 a, u64 b) { return (a << 7) ^ (b >> 3) ^ (a * b) ^ (a / (b | 1)); }
#if __BPF_CPU_VERSION__ >= 4
#define SDIV(a, b) ((a) / (b))
#define SMOD(a, b) ((a) % (b))
#else // signed division needs ISA v4
#define SDIV(a, b) ((u64)(a) / (u64)(b))
#define SMOD(a, b) ((u64)(a) % (u64)(b))
#endif
static __attribute__((noinline)) s64 signed_ops(s64 a, s32 b) { return SDIV(a, 3) + SMOD(a, 7) + (s64)(b >> 2) + (s16)a; }

__attribute__((section("xdp"), used)) int compute(struct xdp_md *ctx) {
  u32 key = ctx->rx_queue_index & 15;
  u64 *value = lookup(&counters, &key);
  if (!value)
    return 0;
  __sync_fetch_and_add(value, 1);
#if __BPF_CPU_VERSION__ >= 3
  u64 old = __sync_fetch_and_add(&total, 3);
  old ^= __atomic_fetch_or(value, 4, __ATOMIC_SEQ_CST);
  old += __atomic_fetch_xor(value, 5, __ATOMIC_SEQ_CST);
  old += __atomic_exchange_n(value, old, __ATOMIC_SEQ_CST);
  u64 expected = 7;
  __atomic_compare_exchange_n(value, &expected, old, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
  u32 *word = (u32 *)value;
  old += __sync_fetch_and_and(word, 0xff);
#else
  u64 old = 0;
#endif
  u64 acc = old;
  for (int i = 0; i < 32; i++)
    acc = mix(acc, *value + i);
  tail_call(ctx, &jumps, (u32)acc & 3);
  return (int)(acc ^ (acc >> 32)) + (int)signed_ops((s64)acc, (s32)key);
}

__attribute__((section("xdp"), used)) int parse(struct xdp_md *ctx) {
  u8 *data = (u8 *)(long)ctx->data, *end = (u8 *)(long)ctx->data_end;
  if (data + 34 > end)
    return 1;
  u16 proto = *(u16 *)(data + 12);
  s8 tos = *(s8 *)(data + 15);
  s16 id = *(s16 *)(data + 18);
  s32 addr = *(s32 *)(data + 26);
  u32 sum = 0;
  switch (__builtin_bswap16(proto)) {
  case 0x0800: sum = __builtin_bswap32(*(u32 *)(data + 30)) + (u32)(tos * 3); break;
  case 0x86dd: sum = (u32)(__builtin_bswap64(*(u64 *)(data + 22)) >> 3); break;
  case 0x8100: sum = (u32)SDIV(id, 5) - (u32)SMOD(addr, 9); break;
  case 0x0806: sum = 77; break;
  default: return 2;
  }
  *(u32 *)(data + 30) = sum;
  data[0] = (u8)sum;
  *(u16 *)(data + 2) = (u16)(sum >> 8);
  *(u64 *)(data + 4) = (u64)sum * 0x100000001ull;
  return sum > 1000 ? 3 : (int)(s32)(sum << 1);
}
)";

struct ListedInsn {
  std::string bytes; // hex of the instruction's bytes
  std::string text;  // objdump's text, annotations removed
  std::vector<Insn> insns;
};

std::string normalize(std::string text) {
  // objdump separates ld_pseudo's operands with a tab and annotates jump targets.
  const size_t annotation = text.rfind(" <");
  if (annotation != std::string::npos && text.ends_with(">"))
    text = text.substr(0, annotation);
  std::string out;
  for (char c : text) {
    if (c == '\t')
      c = ' ';
    if (c == ' ' && (out.empty() || out.back() == ' '))
      continue;
    out += c;
  }
  while (!out.empty() && out.back() == ' ')
    out.pop_back();
  return out;
}

std::vector<ListedInsn> parseObjdump(const std::string &listing) {
  static const std::regex line(R"(^\s*\d+:\t((?:[0-9a-f]{2} ?)+)\t(.*)$)");
  std::vector<ListedInsn> result;
  std::istringstream in(listing);
  for (std::string text; std::getline(in, text);) {
    std::smatch match;
    if (!std::regex_match(text, match, line))
      continue;
    ListedInsn listed;
    listed.bytes = match[1];
    listed.text = normalize(match[2]);
    std::vector<uint8_t> bytes;
    std::istringstream hex(listed.bytes);
    for (std::string byte; hex >> byte;)
      bytes.push_back(uint8_t(std::stoul(byte, nullptr, 16)));
    for (size_t i = 0; i + 8 <= bytes.size(); i += 8) {
      uint64_t word = 0;
      for (int b = 7; b >= 0; --b)
        word = word << 8 | bytes[i + size_t(b)];
      listed.insns.push_back(insnFromWord(word));
    }
    result.push_back(std::move(listed));
  }
  return result;
}

// objdump prints a local call like a helper call (`call -0x1`); our
// dialect says `call pc-0x1`.
std::string objdumpTextInOurDialect(const ListedInsn &listed) {
  const DecodedInsn d = decodeInsn(listed.insns[0]);
  if (d.kind == InsnKind::Call && d.call == CallKind::Local) {
    const std::string operand = listed.text.substr(5);
    return "call pc" + (operand[0] == '-' ? operand : "+" + operand);
  }
  return listed.text;
}

class ClangObjects : public ::testing::TestWithParam<const char *> {};

TEST_P(ClangObjects, DisassemblyMatchesObjdumpAndReassembles) {
  const std::string dir = testing::makeTempDir("asm-clang");
  testing::writeFile(dir + "/prog.c", kSource);
  const std::string object = dir + "/prog.o";
  const testing::CommandResult compiled = testing::runCommand(
      {EBPFC_CLANG19, "-target", "bpf", "-O2", std::string("-mcpu=") + GetParam(), "-c", dir + "/prog.c", "-o", object});
  ASSERT_EQ(compiled.exitCode, 0) << compiled.err;
  const testing::CommandResult dumped =
      testing::runCommand({EBPFC_LLVM_OBJDUMP, "-d", "--mattr=+alu32", object});
  ASSERT_EQ(dumped.exitCode, 0) << dumped.err;
  const std::vector<ListedInsn> listed = parseObjdump(dumped.out);
  ASSERT_GT(listed.size(), 60u) << dumped.out;

  std::vector<Insn> all;
  std::string objdumpText;
  for (const ListedInsn &insn : listed) {
    ASSERT_FALSE(insn.insns.empty());
    EXPECT_NE(decodeInsn(insn.insns[0]).kind, InsnKind::Invalid) << insn.text;
    all.insert(all.end(), insn.insns.begin(), insn.insns.end());
    EXPECT_EQ(disassembleInsn(insn.insns, 0, AsmDialect::Llvm), objdumpTextInOurDialect(insn)) << insn.bytes;
    objdumpText += objdumpTextInOurDialect(insn) + '\n';
  }

  AssembleOptions options;
  options.fileName = "objdump.s";
  const AssembledProgram fromObjdump = assemble(objdumpText, options);
  ASSERT_TRUE(fromObjdump.ok()) << fromObjdump.errorText();
  ASSERT_EQ(fromObjdump.insns.size(), all.size());
  for (size_t i = 0; i < all.size(); ++i)
    EXPECT_EQ(insnWord(fromObjdump.insns[i]), insnWord(all[i])) << "slot " << i;

  for (AsmDialect dialect : {AsmDialect::Llvm, AsmDialect::Conformance}) {
    options.dialect = dialect;
    const AssembledProgram ours = assemble(disassembleProgram(all, ListingOptions{dialect, true}), options);
    ASSERT_TRUE(ours.ok()) << ours.errorText();
    ASSERT_EQ(ours.insns.size(), all.size());
    for (size_t i = 0; i < all.size(); ++i)
      EXPECT_EQ(insnWord(ours.insns[i]), insnWord(all[i])) << dialectName(dialect) << " slot " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(IsaVersions, ClangObjects, ::testing::Values("v1", "v2", "v3", "v4"));

} // namespace
} // namespace ebpfc::runtime
