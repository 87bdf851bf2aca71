// A validated, LLVM-free view of an eBPF relocatable ELF object: sections,
// symbols and REL relocations, every index and range checked once here so
// the rest of the loader can index without re-checking bounds.
#pragma once

#include "runtime/loader/Expected.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ebpfc::runtime {

struct ElfSection {
  uint32_t index = 0;
  std::string name;
  uint32_t type = 0; // SHT_*
  uint64_t flags = 0;
  uint64_t size = 0;              // sh_size (also for SHT_NOBITS, which has no bytes)
  std::span<const uint8_t> bytes; // empty for SHT_NOBITS

  bool executable() const;
};

struct ElfSymbol {
  std::string name;
  uint64_t value = 0;
  uint64_t size = 0;
  uint8_t type = 0;       // STT_*
  uint8_t binding = 0;    // STB_*
  uint8_t visibility = 0; // STV_*
  uint32_t section = 0;   // st_shndx; 0 = undefined, >= 0xff00 = special
};

struct ElfRelocation {
  uint64_t offset = 0; // in the target section
  uint32_t type = 0;   // R_BPF_*
  uint32_t symbol = 0; // index into ElfFile::symbols(), validated
};

// ELF relocation types of the BPF target.
namespace reloc {
inline constexpr uint32_t kNone = 0, k64_64 = 1, kAbs64 = 2, kAbs32 = 3, kNoDyld32 = 4, k64_32 = 10;
const char *name(uint32_t type);
} // namespace reloc

class ElfFile {
public:
  // Reads and validates `bytes`; `file` names the object in messages.
  static Expected<ElfFile> parse(std::vector<uint8_t> bytes, const std::string &file);

  ElfFile(ElfFile &&) = default;
  ElfFile &operator=(ElfFile &&) = default;

  const std::string &file() const { return file_; }
  // Index 0 is the null section, like in the section header table.
  const std::vector<ElfSection> &sections() const { return sections_; }
  const ElfSection *findSection(std::string_view name) const;
  const std::vector<ElfSymbol> &symbols() const { return symbols_; }
  // Relocations applying to section `index` (all of its SHT_REL sections).
  const std::vector<ElfRelocation> &relocationsFor(uint32_t index) const;
  // Whether a section symbol or a section index names a real section.
  bool isSectionIndex(uint32_t index) const { return index != 0 && index < sections_.size(); }
  // Whether gcc built the object (from .comment, which gcc writes and clang
  // does not).
  bool builtByGcc() const { return builtByGcc_; }

  // "xdp+0x40": a position in a section, for messages.
  std::string describe(uint32_t section, uint64_t offset) const;

private:
  ElfFile() = default;

  std::string file_;
  std::vector<uint8_t> bytes_;
  std::vector<ElfSection> sections_;
  std::vector<ElfSymbol> symbols_;
  std::vector<std::vector<ElfRelocation>> relocations_; // by target section index
  bool builtByGcc_ = false;
};

} // namespace ebpfc::runtime
