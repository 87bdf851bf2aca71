#include "tools/ebpfvm/Commands.h"

namespace ebpfc::ebpfvm {

namespace {
const Command kCommands[] = {
    {"run",
     "OBJ [--program NAME | --section SEC] [--type TYPE] (--pcap FILE | --packets FILE | --packet HEX...) "
     "[--ctx FIELD=VALUE...] [--maps FILE] [--dump-maps FILE|-] [--out-pcap FILE] [--json] [--repeat N] "
     "[--engine=interp|jit|jit-checked|kernel] [--checked] [--cpus N] [--cpu N] [--seed N] [--fib FILE] [--clock-start NS] "
     "[--clock-step NS] [--budget N] [--no-map-changes] [--no-progress]",
     "run a program of an object on packets and show verdicts, output packets, map changes and trace output",
     runCommand},
    {"test",
     "PATH... [--engine=interp|jit|jit-checked|kernel|all] [--checked] [-j N] [--junit FILE] [--update] "
     "[--ebpfc PATH] [--verbose] [--no-progress] [--color|--no-color]",
     "run golden suites (*.suite.json, *.stf beside a .p4; directories searched) and report every difference",
     testCommand},
    {"conformance", "PATH... [--engine=NAME] [--checked] [--verbose]",
     "run bpf_conformance vectors (.data files or directories of them)", conformanceCommand},
    {"asm", "FILE [--dialect=auto|llvm|conformance] [-o OUT] [--format=hex|raw]",
     "assemble instructions (LLVM or conformance syntax) into a raw instruction stream", asmCommand},
    {"disasm", "OBJ [--program NAME] [--no-source] | --raw FILE | --hex FILE [--dialect=llvm|conformance] "
     "[--labels] [--indexes]",
     "disassemble an object's programs (with source lines from its line info) or an instruction stream",
     disasmCommand},
    {"bench", "[--quick] [--rounds N] [--batch-ms MS] [--programs A,B...] [--engines E,F...] [--objects DIR] "
     "[--output FILE]",
     "benchmark the interpreter, the JIT, the kernel, DPDK's librte_bpf and native code on bench/programs",
     benchCommand},
};
} // namespace

std::span<const Command> commands() { return kCommands; }

} // namespace ebpfc::ebpfvm
