// ebpfvm asm FILE: assembles LLVM or conformance syntax into an instruction
// stream, as hex words (one per line, like a conformance `-- raw` section)
// or raw little-endian bytes.
#include "runtime/asm/Assembler.h"
#include "tools/ebpfvm/CommandLine.h"
#include "tools/ebpfvm/Commands.h"

#include <fmt/format.h>

#include <cstdio>
#include <fstream>

namespace ebpfc::ebpfvm {

int asmCommand(std::span<const std::string> args) {
  using namespace ebpfc::runtime;
  const CommandLine line(args, {"--dialect", "-o", "--format"}, {});
  if (!line.ok())
    return reportError("asm", line.error(), 2);
  if (line.positional().size() != 1)
    return reportError("asm", "name one assembly file ('-' for standard input)", 2);
  const std::string path = line.positional()[0];
  const std::optional<std::string> output = line.value("-o");
  const std::string format = line.value("--format").value_or(output ? "raw" : "hex");
  if (format != "raw" && format != "hex")
    return reportError("asm", "--format must be hex or raw", 2);

  std::string error;
  const std::optional<std::string> text = readInput(path, error);
  if (!text)
    return reportError("asm", error);
  AssembleOptions options;
  options.fileName = path == "-" ? "<stdin>" : path;
  const std::string dialect = line.value("--dialect").value_or("auto");
  if (dialect == "auto")
    options.dialect = detectDialect(*text);
  else if (std::optional<AsmDialect> chosen = parseDialect(dialect))
    options.dialect = *chosen;
  else
    return reportError("asm", "--dialect must be auto, llvm or conformance", 2);

  const AssembledProgram program = assemble(*text, options);
  if (!program.ok()) {
    std::fputs(program.errorText().c_str(), stderr);
    return 1;
  }

  std::string bytes;
  if (format == "hex") {
    for (const Insn &insn : program.insns)
      bytes += fmt::format("{:#018x}\n", insnWord(insn));
  } else {
    bytes.assign(reinterpret_cast<const char *>(program.insns.data()), program.insns.size() * sizeof(Insn));
  }
  if (!output) {
    std::fwrite(bytes.data(), 1, bytes.size(), stdout);
    return 0;
  }
  std::ofstream out(*output, std::ios::binary);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  if (!out)
    return reportError("asm", *output + ": cannot write the file");
  return 0;
}

} // namespace ebpfc::ebpfvm
