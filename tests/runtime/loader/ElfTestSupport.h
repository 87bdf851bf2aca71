// Helpers for the loader tests: the objects compiled from inputs/, and an
// editor that patches ELF, relocation, symbol and BTF bytes in place to derive
// malformed objects from valid ones.
#pragma once

#include "runtime/loader/Loader.h"

#include <elf.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ebpfc::runtime::test {

// Path of a compiled input, e.g. objectPath("multi_prog.clang.o").
std::string objectPath(const std::string &name);
// Bytes of a compiled input; empty when it was not built (e.g. no bpf-gcc).
std::vector<uint8_t> readObjectBytes(const std::string &name);
// Line number (1-based) of the first line of an input source containing
// `needle`, or 0.
unsigned sourceLineOf(const std::string &sourceName, const std::string &needle);

// One type record of a .BTF section, with its position in the file.
struct BtfRecord {
  uint32_t id = 0;
  uint32_t kind = 0;
  uint32_t vlen = 0;
  std::string name;
  size_t fileOffset = 0; // of the 12-byte btf_type header
};

class ElfEditor {
public:
  explicit ElfEditor(std::vector<uint8_t> bytes);

  std::vector<uint8_t> &bytes() { return bytes_; }
  Elf64_Ehdr &header();
  Elf64_Shdr &sectionHeader(int index);
  int sectionIndex(const std::string &name) const; // -1 when absent
  Elf64_Shdr &section(const std::string &name);
  uint8_t *sectionData(const std::string &name);
  // Relocations applying to section `target`.
  std::vector<Elf64_Rel *> relocationsFor(const std::string &target);
  Elf64_Sym *symbol(const std::string &name);
  uint32_t symbolIndex(const std::string &name);
  uint32_t symbolCount();
  // The 8 bytes of instruction `index` of a code section.
  uint8_t *insn(const std::string &section, size_t index);
  // Index of the first instruction of `section` with this opcode at or after `from`.
  std::optional<size_t> findInsn(const std::string &section, uint8_t opcode, size_t from = 0);

  // .BTF layout.
  size_t btfHeaderOffset();  // file offset of the .BTF header
  size_t btfStringsOffset(); // file offset of the string section
  uint32_t btfStringsLength();
  std::vector<BtfRecord> btfTypes();
  std::optional<BtfRecord> btfType(uint32_t kind, const std::string &name);
  size_t btfExtHeaderOffset();

  uint32_t read32(size_t offset) const;
  void write32(size_t offset, uint32_t value);

private:
  std::vector<uint8_t> bytes_;
};

} // namespace ebpfc::runtime::test
