#include "runtime/loader/ElfFile.h"

#include <fmt/format.h>
#include <llvm/BinaryFormat/ELF.h>
#include <llvm/Object/ELF.h>
#include <llvm/Support/Error.h>

namespace ebpfc::runtime {

namespace {

using llvm::object::ELF64LE;
using ElfReader = llvm::object::ELFFile<ELF64LE>;

std::string describeLlvmError(llvm::Error error) { return llvm::toString(std::move(error)); }

// Structural damage: nothing the user can fix but the file itself.
LoadError corrupt(const std::string &file, const std::string &what) {
  return errorIn(file, what + "; the file is corrupt or truncated");
}

// Checks the identification bytes before LLVM sees the file, so that 32-bit,
// big-endian and non-BPF objects get a message saying what to do instead.
Expected<void> checkIdentification(std::span<const uint8_t> bytes, const std::string &file) {
  constexpr size_t kHeaderSize = sizeof(ELF64LE::Ehdr);
  if (bytes.size() < 4 || bytes[0] != 0x7f || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F')
    return errorIn(file, "not an ELF file (no ELF magic bytes); expected an eBPF object "
                         "compiled with 'clang -target bpf -c' or 'bpf-gcc -c'");
  if (bytes.size() < kHeaderSize)
    return errorIn(file, fmt::format("is truncated: {} bytes, less than the {}-byte ELF header",
                                     bytes.size(), kHeaderSize));
  if (bytes[llvm::ELF::EI_CLASS] != llvm::ELF::ELFCLASS64)
    return errorIn(file, "is a 32-bit ELF file; eBPF objects are 64-bit");
  if (bytes[llvm::ELF::EI_DATA] == llvm::ELF::ELFDATA2MSB)
    return errorIn(file, "is a big-endian (bpfeb) object; the runtime runs little-endian "
                         "eBPF only: compile with -target bpfel (or -target bpf on x86/arm64)");
  if (bytes[llvm::ELF::EI_DATA] != llvm::ELF::ELFDATA2LSB)
    return errorIn(file, "has an invalid ELF data encoding byte");
  return {};
}

} // namespace

bool ElfSection::executable() const {
  return type == llvm::ELF::SHT_PROGBITS && (flags & llvm::ELF::SHF_EXECINSTR);
}

const char *reloc::name(uint32_t type) {
  switch (type) {
  case kNone: return "R_BPF_NONE";
  case k64_64: return "R_BPF_64_64";
  case kAbs64: return "R_BPF_64_ABS64";
  case kAbs32: return "R_BPF_64_ABS32";
  case kNoDyld32: return "R_BPF_64_NODYLD32";
  case k64_32: return "R_BPF_64_32";
  default: return "unknown relocation type";
  }
}

Expected<ElfFile> ElfFile::parse(std::vector<uint8_t> bytes, const std::string &file) {
  if (auto checked = checkIdentification(bytes, file); !checked)
    return checked.takeError();

  ElfFile elf;
  elf.file_ = file;
  elf.bytes_ = std::move(bytes);
  llvm::StringRef buffer(reinterpret_cast<const char *>(elf.bytes_.data()), elf.bytes_.size());

  auto readerOrError = ElfReader::create(buffer);
  if (!readerOrError)
    return corrupt(file, "malformed ELF header: " + describeLlvmError(readerOrError.takeError()));
  const ElfReader &reader = *readerOrError;
  const auto &header = reader.getHeader();
  if (header.e_type != llvm::ELF::ET_REL)
    return errorIn(file, "is not a relocatable object (ELF type " + std::to_string(header.e_type) +
                             "); pass the .o file the compiler produced with -c, not a linked "
                             "executable or shared object");
  if (header.e_machine != llvm::ELF::EM_BPF && header.e_machine != llvm::ELF::EM_NONE)
    return errorIn(file, "is an ELF object for machine " + std::to_string(header.e_machine) +
                             ", not eBPF (EM_BPF = 247); compile with -target bpf");

  auto sectionsOrError = reader.sections();
  if (!sectionsOrError)
    return corrupt(file, "malformed section header table: " +
                             describeLlvmError(sectionsOrError.takeError()));
  auto headers = *sectionsOrError;
  if (headers.empty())
    return corrupt(file, "has no sections");
  auto namesOrError = reader.getSectionStringTable(headers);
  if (!namesOrError)
    return corrupt(file,
                   "malformed section name table: " + describeLlvmError(namesOrError.takeError()));

  const ELF64LE::Shdr *symtabHeader = nullptr;
  size_t symtabIndex = 0;
  elf.sections_.reserve(headers.size());
  for (size_t i = 0; i < headers.size(); ++i) {
    const auto &shdr = headers[i];
    ElfSection section;
    section.index = static_cast<uint32_t>(i);
    auto nameOrError = reader.getSectionName(shdr, *namesOrError);
    if (!nameOrError)
      return corrupt(file, fmt::format("section #{} has a bad name: {}", i,
                                       describeLlvmError(nameOrError.takeError())));
    section.name = nameOrError->str();
    section.type = shdr.sh_type;
    section.flags = shdr.sh_flags;
    section.size = shdr.sh_size;
    if (i != 0 && shdr.sh_type != llvm::ELF::SHT_NOBITS && shdr.sh_type != llvm::ELF::SHT_NULL) {
      auto contentsOrError = reader.getSectionContents(shdr);
      if (!contentsOrError)
        return corrupt(file,
                       fmt::format("section '{}' (#{}) lies outside the file: {}", section.name, i,
                                   describeLlvmError(contentsOrError.takeError())));
      section.bytes = std::span<const uint8_t>(contentsOrError->data(), contentsOrError->size());
    }
    if (shdr.sh_type == llvm::ELF::SHT_SYMTAB) {
      if (symtabHeader)
        return errorIn(file, "has more than one symbol table");
      symtabHeader = &shdr;
      symtabIndex = i;
    }
    elf.sections_.push_back(std::move(section));
  }

  if (!symtabHeader)
    return errorIn(file, "has no symbol table (was it stripped?); the loader needs symbols to "
                         "find programs and maps: do not strip eBPF objects");
  auto symbolsOrError = reader.symbols(symtabHeader);
  if (!symbolsOrError)
    return corrupt(file,
                   "malformed symbol table: " + describeLlvmError(symbolsOrError.takeError()));
  auto symbolNamesOrError = reader.getStringTableForSymtab(*symtabHeader, headers);
  if (!symbolNamesOrError)
    return corrupt(file, "malformed symbol string table: " +
                             describeLlvmError(symbolNamesOrError.takeError()));
  elf.symbols_.reserve(symbolsOrError->size());
  for (size_t i = 0; i < symbolsOrError->size(); ++i) {
    const auto &sym = (*symbolsOrError)[i];
    ElfSymbol symbol;
    auto nameOrError = sym.getName(*symbolNamesOrError);
    if (!nameOrError)
      return corrupt(file, fmt::format("symbol #{} has a bad name: {}", i,
                                       describeLlvmError(nameOrError.takeError())));
    symbol.name = nameOrError->str();
    symbol.value = sym.st_value;
    symbol.size = sym.st_size;
    symbol.type = sym.getType();
    symbol.binding = sym.getBinding();
    symbol.visibility = sym.getVisibility();
    symbol.section = sym.st_shndx;
    if (symbol.section == llvm::ELF::SHN_XINDEX)
      return errorIn(file, fmt::format("symbol '{}' uses an extended section index, which eBPF "
                                       "objects never need",
                                       symbol.name));
    if (symbol.section != 0 && symbol.section < llvm::ELF::SHN_LORESERVE &&
        symbol.section >= elf.sections_.size())
      return corrupt(file, fmt::format("symbol '{}' refers to section #{}, but the object has "
                                       "only {} sections",
                                       symbol.name, symbol.section, elf.sections_.size()));
    // Section symbols have no name of their own; give them their section's.
    if (symbol.type == llvm::ELF::STT_SECTION && symbol.name.empty() &&
        elf.isSectionIndex(symbol.section))
      symbol.name = elf.sections_[symbol.section].name;
    elf.symbols_.push_back(std::move(symbol));
  }

  elf.relocations_.resize(headers.size());
  for (size_t i = 0; i < headers.size(); ++i) {
    const auto &shdr = headers[i];
    const ElfSection &section = elf.sections_[i];
    if (shdr.sh_type == llvm::ELF::SHT_RELA)
      return errorIn(file, fmt::format("section '{}' has RELA relocations; eBPF objects use REL "
                                       "relocations (implicit addends) only",
                                       section.name));
    if (shdr.sh_type != llvm::ELF::SHT_REL)
      continue;
    if (shdr.sh_entsize != sizeof(ELF64LE::Rel))
      return corrupt(file, fmt::format("relocation section '{}' has entry size {}, expected {}",
                                       section.name, static_cast<uint64_t>(shdr.sh_entsize),
                                       sizeof(ELF64LE::Rel)));
    if (!elf.isSectionIndex(shdr.sh_info))
      return corrupt(file, fmt::format("relocation section '{}' applies to section #{}, which "
                                       "does not exist",
                                       section.name, static_cast<uint32_t>(shdr.sh_info)));
    if (shdr.sh_link != symtabIndex && shdr.sh_link != 0)
      return corrupt(file, fmt::format("relocation section '{}' uses section #{} as its symbol "
                                       "table, which is not the object's symbol table",
                                       section.name, static_cast<uint32_t>(shdr.sh_link)));
    auto relsOrError = reader.rels(shdr);
    if (!relsOrError)
      return corrupt(file, fmt::format("malformed relocation section '{}': {}", section.name,
                                       describeLlvmError(relsOrError.takeError())));
    const ElfSection &target = elf.sections_[shdr.sh_info];
    auto &out = elf.relocations_[shdr.sh_info];
    for (const auto &rel : *relsOrError) {
      ElfRelocation relocation;
      relocation.offset = rel.r_offset;
      relocation.type = rel.getType(false);
      relocation.symbol = rel.getSymbol(false);
      if (relocation.symbol >= elf.symbols_.size())
        return corrupt(file, fmt::format("relocation at {} refers to symbol #{}, but the symbol "
                                         "table has only {} symbols",
                                         elf.describe(target.index, relocation.offset),
                                         relocation.symbol, elf.symbols_.size()));
      if (relocation.offset >= target.size)
        return corrupt(file, fmt::format("relocation at {} lies past the end of section '{}' "
                                         "({} bytes)",
                                         elf.describe(target.index, relocation.offset), target.name,
                                         target.size));
      out.push_back(relocation);
    }
  }

  if (const ElfSection *comment = elf.findSection(".comment")) {
    std::string_view text(reinterpret_cast<const char *>(comment->bytes.data()),
                          comment->bytes.size());
    elf.builtByGcc_ =
        text.find("GCC:") != std::string_view::npos && text.find("clang") == std::string_view::npos;
  }
  return elf;
}

const ElfSection *ElfFile::findSection(std::string_view name) const {
  for (const ElfSection &section : sections_)
    if (section.index != 0 && section.name == name)
      return &section;
  return nullptr;
}

const std::vector<ElfRelocation> &ElfFile::relocationsFor(uint32_t index) const {
  static const std::vector<ElfRelocation> kEmpty;
  return index < relocations_.size() ? relocations_[index] : kEmpty;
}

std::string ElfFile::describe(uint32_t section, uint64_t offset) const {
  std::string name =
      isSectionIndex(section) ? sections_[section].name : fmt::format("section#{}", section);
  return fmt::format("{}+{:#x}", name, offset);
}

} // namespace ebpfc::runtime
