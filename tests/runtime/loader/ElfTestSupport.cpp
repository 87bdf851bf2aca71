#include "ElfTestSupport.h"

#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace ebpfc::runtime::test {

std::string objectPath(const std::string &name) {
  return std::string(LOADER_OBJECT_DIR) + "/" + name;
}

std::vector<uint8_t> readObjectBytes(const std::string &name) {
  std::ifstream in(objectPath(name), std::ios::binary);
  if (!in)
    return {};
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

unsigned sourceLineOf(const std::string &sourceName, const std::string &needle) {
  std::ifstream in(std::string(LOADER_INPUT_DIR) + "/" + sourceName);
  std::string line;
  for (unsigned number = 1; std::getline(in, line); ++number)
    if (line.find(needle) != std::string::npos)
      return number;
  return 0;
}

ElfEditor::ElfEditor(std::vector<uint8_t> bytes) : bytes_(std::move(bytes)) {
  if (bytes_.size() < sizeof(Elf64_Ehdr))
    throw std::runtime_error("not an ELF object");
}

Elf64_Ehdr &ElfEditor::header() { return *reinterpret_cast<Elf64_Ehdr *>(bytes_.data()); }

Elf64_Shdr &ElfEditor::sectionHeader(int index) {
  return reinterpret_cast<Elf64_Shdr *>(bytes_.data() + header().e_shoff)[index];
}

int ElfEditor::sectionIndex(const std::string &name) const {
  auto &self = const_cast<ElfEditor &>(*this);
  const Elf64_Shdr &names = self.sectionHeader(self.header().e_shstrndx);
  for (int i = 1; i < self.header().e_shnum; ++i) {
    const char *sectionName = reinterpret_cast<const char *>(bytes_.data() + names.sh_offset +
                                                             self.sectionHeader(i).sh_name);
    if (name == sectionName)
      return i;
  }
  return -1;
}

Elf64_Shdr &ElfEditor::section(const std::string &name) {
  int index = sectionIndex(name);
  if (index < 0)
    throw std::runtime_error("no section " + name);
  return sectionHeader(index);
}

uint8_t *ElfEditor::sectionData(const std::string &name) {
  return bytes_.data() + section(name).sh_offset;
}

std::vector<Elf64_Rel *> ElfEditor::relocationsFor(const std::string &target) {
  int targetIndex = sectionIndex(target);
  std::vector<Elf64_Rel *> out;
  for (int i = 1; i < header().e_shnum; ++i) {
    Elf64_Shdr &shdr = sectionHeader(i);
    if (shdr.sh_type != SHT_REL || static_cast<int>(shdr.sh_info) != targetIndex)
      continue;
    auto *rels = reinterpret_cast<Elf64_Rel *>(bytes_.data() + shdr.sh_offset);
    for (size_t r = 0; r < shdr.sh_size / sizeof(Elf64_Rel); ++r)
      out.push_back(&rels[r]);
  }
  return out;
}

uint32_t ElfEditor::symbolCount() {
  for (int i = 1; i < header().e_shnum; ++i)
    if (sectionHeader(i).sh_type == SHT_SYMTAB)
      return static_cast<uint32_t>(sectionHeader(i).sh_size / sizeof(Elf64_Sym));
  return 0;
}

uint32_t ElfEditor::symbolIndex(const std::string &name) {
  for (int i = 1; i < header().e_shnum; ++i) {
    Elf64_Shdr &symtab = sectionHeader(i);
    if (symtab.sh_type != SHT_SYMTAB)
      continue;
    Elf64_Shdr &strtab = sectionHeader(symtab.sh_link);
    auto *symbols = reinterpret_cast<Elf64_Sym *>(bytes_.data() + symtab.sh_offset);
    for (uint32_t s = 0; s < symtab.sh_size / sizeof(Elf64_Sym); ++s)
      if (name ==
          reinterpret_cast<const char *>(bytes_.data() + strtab.sh_offset + symbols[s].st_name))
        return s;
  }
  throw std::runtime_error("no symbol " + name);
}

Elf64_Sym *ElfEditor::symbol(const std::string &name) {
  uint32_t index = symbolIndex(name);
  for (int i = 1; i < header().e_shnum; ++i)
    if (sectionHeader(i).sh_type == SHT_SYMTAB)
      return reinterpret_cast<Elf64_Sym *>(bytes_.data() + sectionHeader(i).sh_offset) + index;
  return nullptr;
}

uint8_t *ElfEditor::insn(const std::string &sectionName, size_t index) {
  return sectionData(sectionName) + index * 8;
}

std::optional<size_t> ElfEditor::findInsn(const std::string &sectionName, uint8_t opcode,
                                          size_t from) {
  size_t count = section(sectionName).sh_size / 8;
  for (size_t i = from; i < count; ++i)
    if (insn(sectionName, i)[0] == opcode)
      return i;
  return std::nullopt;
}

uint32_t ElfEditor::read32(size_t offset) const {
  uint32_t value;
  std::memcpy(&value, bytes_.data() + offset, 4);
  return value;
}

void ElfEditor::write32(size_t offset, uint32_t value) {
  std::memcpy(bytes_.data() + offset, &value, 4);
}

size_t ElfEditor::btfHeaderOffset() { return section(".BTF").sh_offset; }

size_t ElfEditor::btfStringsOffset() {
  size_t header = btfHeaderOffset();
  return header + read32(header + 4) + read32(header + 16);
}

uint32_t ElfEditor::btfStringsLength() { return read32(btfHeaderOffset() + 20); }

std::vector<BtfRecord> ElfEditor::btfTypes() {
  size_t header = btfHeaderOffset();
  size_t begin = header + read32(header + 4) + read32(header + 8);
  size_t end = begin + read32(header + 12);
  size_t strings = btfStringsOffset();
  std::vector<BtfRecord> out;
  for (size_t at = begin; at < end;) {
    BtfRecord record;
    record.id = static_cast<uint32_t>(out.size() + 1);
    record.fileOffset = at;
    uint32_t info = read32(at + 4);
    record.kind = (info >> 24) & 0x1f;
    record.vlen = info & 0xffff;
    record.name = reinterpret_cast<const char *>(bytes_.data() + strings + read32(at));
    size_t extra = 0;
    switch (record.kind) {
    case 1:
    case 14:
    case 17: extra = 4; break; // INT, VAR, DECL_TAG
    case 3: extra = 12; break; // ARRAY
    case 4:
    case 5:
    case 15:
    case 19: extra = 12 * record.vlen; break; // STRUCT, UNION, DATASEC, ENUM64
    case 6:
    case 13: extra = 8 * record.vlen; break; // ENUM, FUNC_PROTO
    default: break;
    }
    at += 12 + extra;
    out.push_back(record);
  }
  return out;
}

std::optional<BtfRecord> ElfEditor::btfType(uint32_t kind, const std::string &name) {
  for (const BtfRecord &record : btfTypes())
    if (record.kind == kind && record.name == name)
      return record;
  return std::nullopt;
}

size_t ElfEditor::btfExtHeaderOffset() { return section(".BTF.ext").sh_offset; }

} // namespace ebpfc::runtime::test
