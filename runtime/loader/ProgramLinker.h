// Links one program: its entry function, then every function it reaches
// through calls and callback addresses, each appended once, depth-first in
// call order (libbpf's layout); call and callback immediates become offsets
// relative to the instruction, and .BTF.ext function and line info (byte
// offsets per ELF section) becomes instruction indexes of the linked program.
#pragma once

#include "runtime/loader/Btf.h"
#include "runtime/loader/BtfExt.h"
#include "runtime/loader/ElfFile.h"
#include "runtime/loader/Expected.h"
#include "runtime/loader/Object.h"
#include "runtime/loader/Relocation.h"

namespace ebpfc::runtime {

// Checks that every .BTF.ext record describes an instruction of a code
// section (and func_info a function start), so linking can trust them.
Expected<void> validateBtfExt(const ElfFile &elf, const CodeModel &code, const BtfExt &ext);

// Fills insns, functions and lines of a program whose entry is
// code.functions[entry]; `btf` and `ext` may be null.
ProgramImage linkProgram(const CodeModel &code, uint32_t entry, const Btf *btf, const BtfExt *ext);

} // namespace ebpfc::runtime
