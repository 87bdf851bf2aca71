// ebpfvm disasm: disassembles an object's programs (what the loader made of
// each section, then every program with its functions, map references and,
// from .BTF.ext line info, the C source lines interleaved), or an
// instruction stream (raw little-endian bytes with --raw, hex words with
// --hex), in either dialect.
#include "ir/HelperTable.h"
#include "runtime/asm/Disassembler.h"
#include "runtime/asm/Isa.h"
#include "runtime/loader/Loader.h"
#include "runtime/loader/ObjectListing.h"
#include "tools/ebpfvm/CommandLine.h"
#include "tools/ebpfvm/Commands.h"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>

namespace ebpfc::ebpfvm {

namespace {

// Hex words separated by whitespace; `#` starts a comment.
bool parseHexWords(const std::string &text, std::vector<runtime::Insn> &insns, std::string &error) {
  std::istringstream lines(text);
  std::string lineText;
  unsigned lineNumber = 0;
  while (std::getline(lines, lineText)) {
    ++lineNumber;
    lineText = lineText.substr(0, lineText.find('#'));
    std::istringstream words(lineText);
    std::string word;
    while (words >> word) {
      char *end = nullptr;
      const unsigned long long value = std::strtoull(word.c_str(), &end, 16);
      if (*end != '\0' || word.size() > 18) {
        error = "line " + std::to_string(lineNumber) + ": '" + word + "' is not a 64-bit hex word";
        return false;
      }
      insns.push_back(runtime::insnFromWord(value));
    }
  }
  return true;
}

// What an instruction refers to, as a trailing comment: the map of a map
// reference, the function of a local call or callback address, the target
// of a jump, the helper of a call.
std::string annotation(const runtime::ObjectImage &object, const runtime::ProgramImage &program, size_t index) {
  using namespace ebpfc::runtime;
  const Insn &insn = program.insns[index];
  const DecodedInsn decoded = decodeInsn(insn);
  auto functionAt = [&](int64_t target) -> std::string {
    if (target < 0 || size_t(target) >= program.insns.size())
      return fmt::format("instruction {}", target);
    const FunctionInfo *function = program.functionFor(uint32_t(target));
    return function && function->insn == target ? function->name : fmt::format("instruction {}", target);
  };
  switch (decoded.kind) {
  case InsnKind::LoadImm64: {
    if (insn.src == op::kPseudoFunc)
      return "function " + functionAt(int64_t(index) + 1 + insn.imm);
    if (insn.src != op::kPseudoMapIdx && insn.src != op::kPseudoMapIdxValue)
      return {};
    if (insn.imm < 0 || size_t(insn.imm) >= object.maps.size())
      return fmt::format("map {} (no such map)", insn.imm);
    const std::string &name = object.maps[size_t(insn.imm)].name;
    if (insn.src == op::kPseudoMapIdx || index + 1 >= program.insns.size())
      return "map " + name;
    return fmt::format("{} + {}", name, program.insns[index + 1].imm);
  }
  case InsnKind::Jump:
  case InsnKind::CondJump:
    return fmt::format("-> {}", int64_t(index) + 1 + jumpOffsetOf(insn, decoded));
  case InsnKind::Call:
    if (decoded.call == CallKind::Local)
      return functionAt(int64_t(index) + 1 + insn.imm);
    if (decoded.call == CallKind::Helper && insn.imm >= 0)
      if (const ir::HelperInfo *info = ir::findHelper(uint32_t(insn.imm)))
        return std::string(info->name);
    return {};
  default:
    return {};
  }
}

std::string disassembleObjectProgram(const runtime::ObjectImage &object, const runtime::ProgramImage &program,
                                     runtime::AsmDialect dialect, bool withSource) {
  using namespace ebpfc::runtime;
  std::string text = fmt::format("\nprogram {} (section {}, type {}, {} instructions):\n", program.name,
                                 program.section, ir::programTypeName(program.type), program.insns.size());
  const LineInfo *previousLine = nullptr;
  for (size_t index = 0; index < program.insns.size(); index += slotsOf(program.insns[index])) {
    if (const FunctionInfo *function = program.functionFor(uint32_t(index)); function && function->insn == index)
      text += function->name + ":\n";
    if (withSource)
      // One comment per change of source line (entries differing only in
      // their column would repeat the same text).
      if (const LineInfo *line = program.lineFor(uint32_t(index));
          line && (!previousLine || line->line != previousLine->line || line->file != previousLine->file)) {
        previousLine = line;
        std::string source = line->text;
        const size_t first = source.find_first_not_of(" \t");
        source = first == std::string::npos ? "" : source.substr(first);
        text += fmt::format("; {}{}{}\n", source, source.empty() ? "" : "  ", "[" + describeSourcePosition(*line) + "]");
      }
    std::string instruction = disassembleInsn(program.insns, index, dialect);
    const std::string note = annotation(object, program, index);
    text += fmt::format("{:>6}: {}{}\n", index, instruction, note.empty() ? "" : "    ; " + note);
  }
  return text;
}

int disassembleObject(const CommandLine &line, runtime::AsmDialect dialect) {
  using namespace ebpfc::runtime;
  Expected<ObjectImage> object = loadObjectFile(line.positional()[0]);
  if (!object) {
    std::fprintf(stderr, "ebpfvm disasm: %s\n", object.error().message.c_str());
    return 1;
  }
  std::string text = formatObjectSummary(*object);
  const std::optional<std::string> only = line.value("--program");
  bool found = false;
  for (const ProgramImage &program : object->programs) {
    if (only && program.name != *only && program.section != *only)
      continue;
    found = true;
    text += disassembleObjectProgram(*object, program, dialect, !line.has("--no-source"));
  }
  if (only && !found)
    return reportError("disasm", fmt::format("{}: no program or section '{}'", object->path, *only));
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

} // namespace

int disasmCommand(std::span<const std::string> args) {
  using namespace ebpfc::runtime;
  const CommandLine line(args, {"--dialect", "--program"}, {"--raw", "--hex", "--labels", "--indexes", "--no-source"});
  if (!line.ok())
    return reportError("disasm", line.error(), 2);
  if (line.positional().size() != 1)
    return reportError("disasm", "name one input file ('-' for standard input)", 2);

  ListingOptions options;
  const std::string dialect = line.value("--dialect").value_or("llvm");
  if (std::optional<AsmDialect> chosen = parseDialect(dialect))
    options.dialect = *chosen;
  else
    return reportError("disasm", "--dialect must be llvm or conformance", 2);
  if (line.has("--raw") && line.has("--hex"))
    return reportError("disasm", "give --raw or --hex, not both", 2);
  // Without a stream format the input is an ELF object.
  if (!line.has("--raw") && !line.has("--hex")) {
    if (line.has("--labels") || line.has("--indexes"))
      return reportError("disasm", "--labels and --indexes apply to --raw and --hex streams", 2);
    return disassembleObject(line, options.dialect);
  }
  if (line.has("--program") || line.has("--no-source"))
    return reportError("disasm", "--program and --no-source apply to object files, not --raw or --hex streams", 2);
  options.labels = line.has("--labels");
  options.indexes = line.has("--indexes");

  std::string error;
  const std::optional<std::string> input = readInput(line.positional()[0], error);
  if (!input)
    return reportError("disasm", error);
  std::vector<Insn> insns;
  if (line.has("--raw")) {
    if (input->size() % sizeof(Insn) != 0)
      return reportError("disasm", "the input is " + std::to_string(input->size()) +
                                       " bytes, not a whole number of 8-byte instructions");
    insns.resize(input->size() / sizeof(Insn));
    std::memcpy(insns.data(), input->data(), input->size());
  } else if (!parseHexWords(*input, insns, error)) {
    return reportError("disasm", error);
  }
  const std::string listing = disassembleProgram(insns, options);
  std::fwrite(listing.data(), 1, listing.size(), stdout);
  return 0;
}

} // namespace ebpfc::ebpfvm
