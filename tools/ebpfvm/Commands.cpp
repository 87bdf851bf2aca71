#include "tools/ebpfvm/Commands.h"

namespace ebpfc::ebpfvm {

namespace {
const Command kCommands[] = {
    {"conformance", "PATH... [--engine=NAME] [--checked] [--verbose]",
     "run bpf_conformance vectors (.data files or directories of them)", conformanceCommand},
    {"asm", "FILE [--dialect=auto|llvm|conformance] [-o OUT] [--format=hex|raw]",
     "assemble instructions (LLVM or conformance syntax) into a raw instruction stream", asmCommand},
    {"disasm", "--raw FILE | --hex FILE [--dialect=llvm|conformance] [--labels] [--indexes]",
     "disassemble an instruction stream", disasmCommand},
};
} // namespace

std::span<const Command> commands() { return kCommands; }

} // namespace ebpfc::ebpfvm
