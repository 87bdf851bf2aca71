// Malformed objects derived from valid ones: each corruption must give one
// clear error naming the file and the problem, and nothing may crash (run
// this under AddressSanitizer to check the "nothing reads out of bounds"
// half too). Random byte flips and truncations close the test.
#include "ElfTestSupport.h"

#include "runtime/loader/Loader.h"

#include <gtest/gtest.h>

#include <functional>
#include <random>

namespace ebpfc::runtime {
namespace {

using test::BtfRecord;
using test::ElfEditor;
using test::readObjectBytes;

constexpr uint32_t kBtfPtr = 2, kBtfStruct = 4, kBtfFwd = 7, kBtfVar = 14, kBtfDatasec = 15;

struct Corruption {
  std::string name;
  std::string base; // a compiled input
  std::function<void(ElfEditor &)> corrupt;
  std::string expected; // a part of the error message
};

Elf64_Rel *relocationAt(ElfEditor &elf, const std::string &section, uint64_t offset) {
  for (Elf64_Rel *rel : elf.relocationsFor(section))
    if (rel->r_offset == offset)
      return rel;
  throw std::runtime_error("no relocation at " + section + "+" + std::to_string(offset));
}

// The first relocation of `section` whose symbol lies in section `target`.
Elf64_Rel *relocationInto(ElfEditor &elf, const std::string &section, const std::string &target) {
  int targetIndex = elf.sectionIndex(target);
  for (Elf64_Rel *rel : elf.relocationsFor(section)) {
    for (int i = 1; i < elf.header().e_shnum; ++i) {
      Elf64_Shdr &symtab = elf.sectionHeader(i);
      if (symtab.sh_type != SHT_SYMTAB)
        continue;
      auto *symbols = reinterpret_cast<Elf64_Sym *>(elf.bytes().data() + symtab.sh_offset);
      if (symbols[ELF64_R_SYM(rel->r_info)].st_shndx == targetIndex)
        return rel;
    }
  }
  throw std::runtime_error("no relocation into " + target);
}

// The BTF record of the type of member `member` of VAR `var`'s map definition struct.
BtfRecord mapDefinitionMemberType(ElfEditor &elf, const std::string &var,
                                  const std::string &member) {
  std::vector<BtfRecord> types = elf.btfTypes();
  auto varRecord = elf.btfType(kBtfVar, var);
  if (!varRecord)
    throw std::runtime_error("no BTF var " + var);
  uint32_t structId = elf.read32(varRecord->fileOffset + 8);
  const BtfRecord &def = types.at(structId - 1);
  size_t strings = elf.btfStringsOffset();
  for (uint32_t i = 0; i < def.vlen; ++i) {
    size_t at = def.fileOffset + 12 + i * 12;
    std::string name =
        reinterpret_cast<const char *>(elf.bytes().data() + strings + elf.read32(at));
    if (name == member)
      return types.at(elf.read32(at + 4) - 1);
  }
  throw std::runtime_error("no member " + member);
}

// First .BTF.ext record of func_info (0) or line_info (1): file offset of its insn_off.
size_t firstBtfExtRecord(ElfEditor &elf, int which) {
  size_t header = elf.btfExtHeaderOffset();
  uint32_t headerLength = elf.read32(header + 4);
  uint32_t infoOffset = elf.read32(header + 8 + which * 8);
  return header + headerLength + infoOffset + 4 /* rec_size */ + 8 /* block header */;
}

std::vector<Corruption> corruptions() {
  return {
      // --- the ELF container ---
      {"not_elf", "multi_prog.clang.o", [](ElfEditor &e) { e.bytes()[0] = 'X'; },
       "not an ELF file"},
      {"truncated_in_ident", "multi_prog.clang.o", [](ElfEditor &e) { e.bytes().resize(10); },
       "is truncated: 10 bytes, less than the 64-byte ELF header"},
      {"truncated_in_header", "multi_prog.clang.o", [](ElfEditor &e) { e.bytes().resize(40); },
       "is truncated: 40 bytes"},
      {"truncated_at_half", "multi_prog.clang.o",
       [](ElfEditor &e) { e.bytes().resize(e.bytes().size() / 2); },
       "malformed section header table"},
      {"truncated_last_bytes", "multi_prog.clang.o",
       [](ElfEditor &e) { e.bytes().resize(e.bytes().size() - 8); },
       "malformed section header table"},
      {"elf32", "multi_prog.clang.o", [](ElfEditor &e) { e.bytes()[EI_CLASS] = ELFCLASS32; },
       "is a 32-bit ELF file"},
      {"big_endian", "multi_prog.clang.o", [](ElfEditor &e) { e.bytes()[EI_DATA] = ELFDATA2MSB; },
       "big-endian (bpfeb)"},
      {"not_bpf_machine", "multi_prog.clang.o",
       [](ElfEditor &e) { e.header().e_machine = EM_X86_64; },
       "is an ELF object for machine 62, not eBPF"},
      {"not_relocatable", "multi_prog.clang.o", [](ElfEditor &e) { e.header().e_type = ET_EXEC; },
       "is not a relocatable object"},
      {"bad_e_shoff", "multi_prog.clang.o",
       [](ElfEditor &e) { e.header().e_shoff = e.bytes().size() + 4096; },
       "malformed section header table"},
      {"misaligned_e_shoff", "multi_prog.clang.o", [](ElfEditor &e) { e.header().e_shoff += 1; },
       "malformed section header table"},
      {"huge_e_shnum", "multi_prog.clang.o", [](ElfEditor &e) { e.header().e_shnum = 0xfff0; },
       "malformed section header table"},
      {"bad_e_shstrndx", "multi_prog.clang.o", [](ElfEditor &e) { e.header().e_shstrndx = 200; },
       "malformed section name table"},
      {"section_outside_file", "multi_prog.clang.o",
       [](ElfEditor &e) { e.section("xdp").sh_offset = 0xfffffff0; },
       "section 'xdp' (#3) lies outside the file"},
      {"section_size_huge", "multi_prog.clang.o",
       [](ElfEditor &e) { e.section(".BTF").sh_size = uint64_t{1} << 40; },
       "section '.BTF' (#19) lies outside the file"},
      {"bad_section_name_offset", "multi_prog.clang.o",
       [](ElfEditor &e) { e.sectionHeader(3).sh_name = 0xffffff; }, "section #3 has a bad name"},
      {"no_symbol_table", "multi_prog.clang.o",
       [](ElfEditor &e) { e.section(".symtab").sh_type = SHT_PROGBITS; },
       "has no symbol table (was it stripped?)"},
      {"symbol_table_bad_link", "multi_prog.clang.o",
       [](ElfEditor &e) { e.section(".symtab").sh_link = 999; }, "malformed symbol string table"},
      {"symbol_bad_name", "multi_prog.clang.o",
       [](ElfEditor &e) { e.symbol("xdp_first")->st_name = 0xfffffff; }, "has a bad name"},
      {"symbol_bad_section", "multi_prog.clang.o",
       [](ElfEditor &e) { e.symbol("counters")->st_shndx = 900; },
       "symbol 'counters' refers to section #900, but the object has only"},
      {"rela_relocations", "multi_prog.clang.o",
       [](ElfEditor &e) { e.section(".relxdp").sh_type = SHT_RELA; },
       "section '.relxdp' has RELA relocations"},
      {"relocation_bad_entry_size", "multi_prog.clang.o",
       [](ElfEditor &e) { e.section(".relxdp").sh_entsize = 7; },
       "relocation section '.relxdp' has entry size 7, expected 16"},
      {"relocation_bad_target_section", "multi_prog.clang.o",
       [](ElfEditor &e) { e.section(".relxdp").sh_info = 999; },
       "relocation section '.relxdp' applies to section #999, which does not exist"},

      // --- relocations of code ---
      {"relocation_bad_symbol_index", "multi_prog.clang.o",
       [](ElfEditor &e) { e.relocationsFor("xdp")[0]->r_info = ELF64_R_INFO(9999, 10); },
       "relocation at xdp+0x8 refers to symbol #9999, but the symbol table has only"},
      {"relocation_offset_past_section", "multi_prog.clang.o",
       [](ElfEditor &e) { e.relocationsFor("xdp")[0]->r_offset = 0x10000; },
       "relocation at xdp+0x10000 lies past the end of section 'xdp' (144 bytes)"},
      {"relocation_not_on_ld_imm64", "multi_prog.clang.o",
       [](ElfEditor &e) { relocationAt(e, "xdp", 0x48)->r_offset = 0x68; },
       "relocation at xdp+0x68 (R_BPF_64_64 to 'counters') applies to an ALU64 instruction "
       "(opcode 0xb7); relocations must be on ld_imm64 or call instructions"},
      {"relocation_on_ld_imm64_second_half", "multi_prog.clang.o",
       [](ElfEditor &e) { relocationAt(e, "xdp", 0x48)->r_offset = 0x50; },
       "applies to an LD instruction (opcode 0x00)"},
      {"relocation_misaligned", "multi_prog.clang.o",
       [](ElfEditor &e) { relocationAt(e, "xdp", 0x48)->r_offset = 0x4b; },
       "relocation at xdp+0x4b (to 'counters') is not at an instruction boundary"},
      {"relocation_wrong_type_for_ld_imm64", "multi_prog.clang.o",
       [](ElfEditor &e) {
         Elf64_Rel *rel = relocationAt(e, "xdp", 0x48);
         rel->r_info = ELF64_R_INFO(ELF64_R_SYM(rel->r_info), 10);
       },
       "relocation at xdp+0x48 has type R_BPF_64_32, which does not apply to ld_imm64"},
      {"two_relocations_on_one_instruction", "multi_prog.clang.o",
       [](ElfEditor &e) { relocationAt(e, "xdp", 0x48)->r_offset = 0x8; },
       "two relocations apply to the instruction at xdp+0x8"},
      {"relocation_to_extern_variable", "global_data.clang.o",
       [](ElfEditor &e) { e.symbol("counter")->st_shndx = 0; },
       "refers to extern variable 'counter' (.kconfig or .ksyms)"},
      {"call_to_kfunc", "multi_prog.clang.o",
       [](ElfEditor &e) { e.symbol("shared_helper")->st_shndx = 0; },
       "xdp+0x8 calls extern function 'shared_helper' (a kfunc)"},
      {"relocation_to_non_data_section", "global_data.clang.o",
       [](ElfEditor &e) { e.symbol("counter")->st_shndx = e.sectionIndex("license"); },
       "refers to symbol 'counter' in section 'license', which is not a map, global-data or code "
       "section"},
      {"data_reference_past_section", "global_data.clang.o",
       [](ElfEditor &e) {
         Elf64_Rel *rel = relocationInto(e, "xdp", ".rodata.str1.1");
         e.write32(e.section("xdp").sh_offset + rel->r_offset + 4, 5000);
       },
       "refers to offset 5000 of '.rodata.str1.1' (12 bytes), outside it"},
      {"call_into_middle_of_function", "multi_prog.clang.o",
       [](ElfEditor &e) { e.insn("tc", 1)[4] += 1; },
       "tc+0x8: the call or function address targets .text+0x88, which is not the start of a "
       "function"},
      {"call_outside_code", "multi_prog.clang.o",
       [](ElfEditor &e) { e.write32(e.section("tc").sh_offset + 8 + 4, 100000); },
       "which is not an instruction of a code section"},

      // --- control flow ---
      {"jump_out_of_function", "multi_prog.clang.o",
       [](ElfEditor &e) { e.insn("xdp", *e.findInsn("xdp", 0x15))[2] = 100; },
       "jump at xdp+0x30 in function 'xdp_first' goes to instruction 107, outside the function "
       "(instructions 0..8 of section 'xdp')"},
      {"jump_backwards_out_of_program", "multi_prog.clang.o",
       [](ElfEditor &e) {
         uint8_t *jump = e.insn("xdp", *e.findInsn("xdp", 0x15));
         jump[2] = 0x00;
         jump[3] = 0x80; // offset -32768
       },
       "goes to instruction -32761, outside the function"},
      {"program_without_exit", "multi_prog.clang.o",
       [](ElfEditor &e) { e.insn("xdp", 8)[0] = 0xb7; },
       "function 'xdp_first' does not end with exit or a jump (its last instruction at xdp+0x40 "
       "is an ALU64 instruction (opcode 0xb7))"},
      {"ld_imm64_missing_second_half", "multi_prog.clang.o",
       [](ElfEditor &e) { e.insn("xdp", 10)[0] = 0xb7; },
       "ld_imm64 at xdp+0x48 in function 'xdp_second' is missing its second half: the next "
       "instruction is an ALU64 instruction"},
      {"ld_imm64_cut_by_function_end", "multi_prog.clang.o",
       [](ElfEditor &e) { e.symbol("xdp_second")->st_size = 8; },
       "ld_imm64 at xdp+0x48 in function 'xdp_second' is missing its second half: the function "
       "ends after its first half"},
      {"functions_at_the_same_offset", "multi_prog.clang.o",
       [](ElfEditor &e) {
         e.symbol("xdp_second")->st_value = 0;
         e.symbol("xdp_second")->st_size = 0;
       },
       "overlap in section 'xdp'"},
      {"function_outside_section", "multi_prog.clang.o",
       [](ElfEditor &e) { e.symbol("tc_main")->st_value = 0x1000; },
       "function 'tc_main' at tc+0x1000 with size 88 does not lie on instruction boundaries "
       "inside section 'tc' (88 bytes)"},
      {"code_section_not_whole_instructions", "multi_prog.clang.o",
       [](ElfEditor &e) { e.section("tc").sh_size -= 4; },
       "code section 'tc' is 84 bytes, not a whole number of 8-byte instructions"},

      // --- .BTF ---
      {"btf_bad_magic", "multi_prog.clang.o",
       [](ElfEditor &e) { e.write32(e.btfHeaderOffset(), 0x0001beef); },
       "malformed .BTF: bad magic 0xbeef"},
      {"btf_header_lies_about_type_length", "multi_prog.clang.o",
       [](ElfEditor &e) { e.write32(e.btfHeaderOffset() + 12, 0x7ffffff0); },
       "malformed .BTF: header says the types take 2147483632 bytes"},
      {"btf_header_lies_about_string_length", "multi_prog.clang.o",
       [](ElfEditor &e) { e.write32(e.btfHeaderOffset() + 20, e.btfStringsLength() + 1000); },
       "header says the strings take"},
      {"btf_type_name_out_of_range", "multi_prog.clang.o",
       [](ElfEditor &e) { e.write32(e.btfTypes().at(0).fileOffset, 0xffff00); },
       "malformed .BTF: type [1] has name offset 0xffff00 past the end of the string section"},
      {"btf_struct_claims_too_many_members", "multi_prog.clang.o",
       [](ElfEditor &e) {
         size_t at = e.btfType(kBtfStruct, "xdp_md")->fileOffset + 4;
         e.write32(at, (e.read32(at) & 0xffff0000) | 0xffff);
       },
       "claims 65535 members"},
      {"btf_reference_to_missing_type", "multi_prog.clang.o",
       [](ElfEditor &e) {
         for (const BtfRecord &record : e.btfTypes())
           if (record.kind == kBtfPtr) {
             e.write32(record.fileOffset + 8, 0xfffff);
             return;
           }
       },
       "refers to type [1048575]"},
      {"btf_map_key_size_mismatch", "map_attrs.clang.o",
       [](ElfEditor &e) {
         BtfRecord pointer = mapDefinitionMemberType(e, "both_sizes", "key_size");
         uint32_t arrayId = e.read32(pointer.fileOffset + 8);
         e.write32(e.btfTypes().at(arrayId - 1).fileOffset + 12 + 8, 12); // nelems
       },
       "map 'both_sizes': conflicting key sizes 12 and 8"},
      {"btf_map_attribute_not_a_pointer", "map_attrs.clang.o",
       [](ElfEditor &e) {
         BtfRecord pointer = mapDefinitionMemberType(e, "flows", "max_entries");
         size_t info = pointer.fileOffset + 4;
         e.write32(info, (e.read32(info) & 0x00ffffff) | kBtfFwd << 24); // PTR -> FWD
       },
       "map 'flows': attribute 'max_entries' has kind FWD where a pointer to an array is "
       "expected"},
      {"btf_maps_without_datasec", "map_attrs.clang.o",
       [](ElfEditor &e) { e.write32(e.btfType(kBtfDatasec, ".maps")->fileOffset, 0); },
       "section '.maps' has no DATASEC in .BTF describing its maps"},

      // --- .BTF.ext ---
      {"btf_ext_header_lies", "multi_prog.clang.o",
       [](ElfEditor &e) { e.write32(e.btfExtHeaderOffset() + 12, 0xffffff00); },
       "malformed .BTF.ext: header says func_info takes 4294967040 bytes"},
      {"btf_ext_line_info_past_program", "multi_prog.clang.o",
       [](ElfEditor &e) { e.write32(firstBtfExtRecord(e, 1), 0x10000); },
       ".BTF.ext line_info points to .text+0x10000, which is not an instruction of section "
       "'.text' (160 bytes of code)"},
      {"btf_ext_func_info_not_at_function", "multi_prog.clang.o",
       [](ElfEditor &e) { e.write32(firstBtfExtRecord(e, 0), 8); },
       ".BTF.ext func_info points to .text+0x8, which is not the start of a function"},

      // --- map sections ---
      {"maps_initial_value_outside_values", "map_attrs.clang.o",
       [](ElfEditor &e) {
         e.relocationsFor(".maps")[0]->r_offset = e.symbol("outer_array")->st_value;
       },
       "does not point at an element of the 'values' member of map 'outer_array'"},
      {"map_in_map_slot_to_a_program", "map_attrs.clang.o",
       [](ElfEditor &e) {
         Elf64_Rel *rel = e.relocationsFor(".maps")[0];
         rel->r_info = ELF64_R_INFO(e.symbolIndex("tail_one"), ELF64_R_TYPE(rel->r_info));
       },
       "map 'outer_array' slot 0 refers to 'tail_one', which is not a map defined in section "
       "'.maps'"},
      {"prog_array_slot_to_a_map", "map_attrs.clang.o",
       [](ElfEditor &e) {
         for (Elf64_Rel *rel : e.relocationsFor(".maps"))
           if (rel->r_offset > e.symbol("jump_table")->st_value) {
             rel->r_info = ELF64_R_INFO(e.symbolIndex("inner_a"), ELF64_R_TYPE(rel->r_info));
             return;
           }
       },
       "prog-array 'jump_table' slot 1 refers to 'inner_a', which is not the entry function of a "
       "program"},
      {"maps_without_btf", "map_attrs.clang.o",
       [](ElfEditor &e) { e.section(".BTF").sh_name = e.section(".strtab").sh_name; },
       "the object has a .maps section but no .BTF to describe its maps"},
      {"huge_bss", "global_data.clang.o",
       [](ElfEditor &e) { e.section(".bss").sh_size = uint64_t{1} << 33; },
       "global-data section '.bss' is 8589934592 bytes; sections larger than 67108864 bytes are "
       "refused"},
      {"legacy_maps_not_whole_entries", "legacy_map_def.clang.o",
       [](ElfEditor &e) { e.section("maps").sh_size = 39; },
       "section 'maps' has 39 bytes for 2 maps, which is not a whole number of bytes per map"},
      {"legacy_map_misplaced", "legacy_map_def.clang.o",
       [](ElfEditor &e) { e.symbol("flows")->st_value = 22; },
       "map 'flows' is at offset 22 of section 'maps', which is not a multiple of the 20-byte "
       "entry size"},
      {"version_not_a_u32", "legacy_map_def.clang.o",
       [](ElfEditor &e) { e.section("version").sh_size = 2; },
       "section 'version' must hold one u32"},
  };
}

void PrintTo(const Corruption &corruption, std::ostream *out) {
  *out << corruption.name << " (from " << corruption.base << ")";
}

class MalformedObjectTest : public ::testing::TestWithParam<Corruption> {};

TEST_P(MalformedObjectTest, GivesAClearError) {
  const Corruption &corruption = GetParam();
  std::vector<uint8_t> bytes = readObjectBytes(corruption.base);
  ASSERT_FALSE(bytes.empty()) << corruption.base << " was not built";
  ASSERT_TRUE(loadObject(bytes, corruption.base)) << "the base object must load";
  ElfEditor editor(std::move(bytes));
  corruption.corrupt(editor);
  std::string file = corruption.name + ".o";
  auto image = loadObject(std::move(editor.bytes()), file);
  ASSERT_FALSE(image) << "the corrupted object loaded";
  const std::string &message = image.error().message;
  RecordProperty("error", message);
  EXPECT_EQ(message.rfind(file + ": error: ", 0), 0u) << message;
  EXPECT_NE(message.find(corruption.expected), std::string::npos)
      << "expected: " << corruption.expected << "\n     got: " << message;
}

INSTANTIATE_TEST_SUITE_P(Corruptions, MalformedObjectTest, ::testing::ValuesIn(corruptions()),
                         [](const auto &info) { return info.param.name; });

// Random damage: whatever the loader answers, it answers (no crash, no hang,
// and under AddressSanitizer no out-of-bounds read).
TEST(MalformedObjects, RandomByteFlipsAndTruncationsNeverCrash) {
  std::mt19937 random(20240601);
  int loaded = 0, rejected = 0;
  for (const char *base :
       {"multi_prog.clang.o", "map_attrs.clang.o", "global_data.clang.o", "legacy_map_def.clang.o",
        "legacy_elf_map.clang.o", "legacy_map_def.gcc.o"}) {
    std::vector<uint8_t> original = readObjectBytes(base);
    if (original.empty())
      continue;
    for (int round = 0; round < 400; ++round) {
      std::vector<uint8_t> bytes = original;
      int flips = 1 + round % 4;
      for (int i = 0; i < flips; ++i)
        bytes[random() % bytes.size()] ^= static_cast<uint8_t>(1 + random() % 255);
      auto image = loadObject(std::move(bytes), base);
      image ? ++loaded : ++rejected;
      if (!image) {
        EXPECT_EQ(image.error().message.rfind(std::string(base) + ": error: ", 0), 0u);
      }
    }
    for (size_t size = 0; size < original.size(); size += 61) {
      auto image =
          loadObject(std::vector<uint8_t>(original.begin(), original.begin() + size), base);
      image ? ++loaded : ++rejected;
    }
  }
  EXPECT_GT(rejected, 0);
  RecordProperty("loaded", loaded);
  RecordProperty("rejected", rejected);
}

} // namespace
} // namespace ebpfc::runtime
