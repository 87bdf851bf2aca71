// ebpfvm disasm: disassembles an instruction stream (raw little-endian
// bytes with --raw, hex words with --hex) in either dialect.
#include "runtime/asm/Disassembler.h"
#include "tools/ebpfvm/CommandLine.h"
#include "tools/ebpfvm/Commands.h"

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

} // namespace

int disasmCommand(std::span<const std::string> args) {
  using namespace ebpfc::runtime;
  const CommandLine line(args, {"--dialect"}, {"--raw", "--hex", "--labels", "--indexes"});
  if (!line.ok())
    return reportError("disasm", line.error(), 2);
  if (line.positional().size() != 1)
    return reportError("disasm", "name one input file ('-' for standard input)", 2);
  if (line.has("--raw") == line.has("--hex"))
    return reportError("disasm", "say how the instructions are stored: --raw (little-endian bytes) or --hex (words)",
                       2);

  ListingOptions options;
  const std::string dialect = line.value("--dialect").value_or("llvm");
  if (std::optional<AsmDialect> chosen = parseDialect(dialect))
    options.dialect = *chosen;
  else
    return reportError("disasm", "--dialect must be llvm or conformance", 2);
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
