// Loading well-formed clang objects: programs and subprograms, BTF-defined
// maps with every attribute, initial slots, global data, section types, line
// info and the listing.
#include "ElfTestSupport.h"

#include "ir/MapType.h"
#include "runtime/loader/Loader.h"
#include "runtime/loader/ObjectListing.h"

#include <gtest/gtest.h>

#include <cstring>
#include <set>

namespace ebpfc::runtime {
namespace {

using test::objectPath;
using test::sourceLineOf;

constexpr uint8_t kLdImm64 = 0x18, kCall = 0x85;

ObjectImage load(const std::string &name, const LoadOptions &options = {}) {
  auto image = loadObjectFile(objectPath(name), options);
  if (!image) {
    ADD_FAILURE() << image.error().message;
    return {};
  }
  return std::move(*image);
}

const ProgramImage &program(const ObjectImage &image, const std::string &name) {
  const ProgramImage *found = image.findProgram(name);
  if (!found)
    throw std::runtime_error("no program " + name);
  return *found;
}

std::vector<std::string> functionNames(const ProgramImage &program) {
  std::vector<std::string> names;
  for (const FunctionInfo &function : program.functions)
    names.push_back(function.name);
  return names;
}

// Name of the function a call or callback load at `pc` targets.
std::string targetOf(const ProgramImage &program, uint32_t pc) {
  int64_t target = int64_t{pc} + program.insns[pc].imm + 1;
  for (const FunctionInfo &function : program.functions)
    if (function.insn == target)
      return function.name;
  return "<not a function start: " + std::to_string(target) + ">";
}

uint32_t mapIndex(const ObjectImage &image, const std::string &name) {
  int index = image.findMap(name);
  EXPECT_GE(index, 0) << "no map " << name;
  return static_cast<uint32_t>(index);
}

TEST(Loader, SeveralProgramsPerSectionWithTypesFromSectionNames) {
  ObjectImage image = load("multi_prog.clang.o");
  ASSERT_EQ(image.programs.size(), 3u);
  EXPECT_EQ(image.programs[0].name, "xdp_first");
  EXPECT_EQ(image.programs[1].name, "xdp_second");
  EXPECT_EQ(image.programs[2].name, "tc_main");
  EXPECT_EQ(image.programs[0].section, "xdp");
  EXPECT_EQ(image.programs[1].section, "xdp");
  EXPECT_EQ(image.programs[2].section, "tc");
  EXPECT_EQ(image.programs[0].type, ir::ProgramType::Xdp);
  EXPECT_EQ(image.programs[0].expectedAttachType, 37u); // BPF_XDP
  EXPECT_EQ(image.programs[2].type, ir::ProgramType::SchedCls);
  EXPECT_EQ(image.license, "GPL");
  EXPECT_EQ(image.programs[1].functions[0].sectionOffset, 0x48u);
}

TEST(Loader, SubprogramsAreAppendedOnceDepthFirstWithPcRelativeCalls) {
  ObjectImage image = load("multi_prog.clang.o");
  const ProgramImage &first = program(image, "xdp_first");
  EXPECT_EQ(functionNames(first),
            (std::vector<std::string>{"xdp_first", "shared_helper", "middle", "leaf"}));
  std::vector<std::string> callees;
  for (uint32_t pc = 0; pc < first.insns.size(); ++pc)
    if (first.insns[pc].opcode == kCall && first.insns[pc].src == op::kCallLocal)
      callees.push_back(targetOf(first, pc));
  EXPECT_EQ(callees, (std::vector<std::string>{"shared_helper", "middle", "leaf", "leaf"}));
  EXPECT_EQ(first.functions[3].section, ".text");

  const ProgramImage &tc = program(image, "tc_main");
  EXPECT_EQ(functionNames(tc), (std::vector<std::string>{"tc_main", "leaf"}));
  EXPECT_EQ(tc.functions[1].sectionOffset, first.functions[3].sectionOffset);
}

TEST(Loader, CallbackAddressesAndMapReferencesAreRewritten) {
  ObjectImage image = load("multi_prog.clang.o");
  const ProgramImage &second = program(image, "xdp_second");
  EXPECT_EQ(functionNames(second), (std::vector<std::string>{"xdp_second", "count_element"}));
  int maps = 0, callbacks = 0;
  for (uint32_t pc = 0; pc + 1 < second.insns.size(); ++pc) {
    const Insn &insn = second.insns[pc];
    if (insn.opcode != kLdImm64)
      continue;
    if (insn.src == op::kPseudoMapIdx) {
      ++maps;
      EXPECT_EQ(image.maps.at(insn.imm).name, "counters");
      EXPECT_EQ(second.insns[pc + 1].imm, 0);
    } else if (insn.src == op::kPseudoFunc) {
      ++callbacks;
      EXPECT_EQ(targetOf(second, pc), "count_element");
    }
  }
  EXPECT_EQ(maps, 1);
  EXPECT_EQ(callbacks, 1);
}

TEST(Loader, LineInfoMapsInstructionsToSourceLines) {
  ObjectImage image = load("multi_prog.clang.o");
  const ProgramImage &first = program(image, "xdp_first");
  ASSERT_FALSE(first.lines.empty());
  const LineInfo *line = first.lineFor(0);
  ASSERT_NE(line, nullptr);
  EXPECT_EQ(line->line, sourceLineOf("multi_prog.c", "FIRST_LINE"));
  EXPECT_NE(line->file.find("multi_prog.c"), std::string::npos);
  EXPECT_NE(line->text.find("return shared_helper(ctx->ingress_ifindex)"), std::string::npos);
  EXPECT_GT(line->column, 0u);

  // Line info of appended subprograms is remapped to their new position.
  for (const FunctionInfo &function : first.functions) {
    if (function.insn == 0)
      continue; // the entry's first line is its first statement
    const LineInfo *start = first.lineFor(function.insn);
    ASSERT_NE(start, nullptr) << function.name;
    EXPECT_EQ(start->insn, function.insn) << function.name;
    EXPECT_NE(start->text.find(function.name), std::string::npos)
        << function.name << ": " << start->text;
  }
  EXPECT_EQ(first.lineFor(static_cast<uint32_t>(first.insns.size())), nullptr);
  EXPECT_EQ(first.functionFor(first.functions[2].insn)->name, "middle");
  EXPECT_EQ(describeSourcePosition(*line),
            line->file + ":" + std::to_string(line->line) + ":" + std::to_string(line->column));
}

TEST(Loader, BtfMapsWithEveryAttribute) {
  ObjectImage image = load("map_attrs.clang.o");
  auto spec = [&](const std::string &name) -> const MapSpec & {
    return image.maps.at(mapIndex(image, name));
  };
  using ir::MapType;
  auto type = [](MapType t) { return static_cast<uint32_t>(t); };

  EXPECT_EQ(spec("flows").type, type(MapType::Hash));
  EXPECT_EQ(spec("flows").keySize, 12u);
  EXPECT_EQ(spec("flows").valueSize, 16u);
  EXPECT_EQ(spec("flows").maxEntries, 128u);
  EXPECT_EQ(spec("flows").flags, 1u); // BPF_F_NO_PREALLOC

  EXPECT_EQ(spec("sized").type, type(MapType::PercpuArray));
  EXPECT_EQ(spec("sized").keySize, 4u);
  EXPECT_EQ(spec("sized").valueSize, 24u);
  EXPECT_EQ(spec("sized").maxEntries, 3u);

  EXPECT_EQ(spec("ldrtest_pinned").type, type(MapType::LruHash));
  EXPECT_EQ(spec("ldrtest_pinned").flags, 4u); // BPF_F_NUMA_NODE
  EXPECT_EQ(spec("ldrtest_pinned").numaNode, 0u);
  EXPECT_EQ(spec("ldrtest_pinned").pinning, 1u); // LIBBPF_PIN_BY_NAME
  EXPECT_EQ(spec("ldrtest_pinned").keySize, 8u);

  EXPECT_EQ(spec("bloom").type, type(MapType::BloomFilter));
  EXPECT_EQ(spec("bloom").keySize, 0u);
  EXPECT_EQ(spec("bloom").valueSize, 4u);
  EXPECT_EQ(spec("bloom").mapExtra, 3u);

  EXPECT_EQ(spec("routes").type, type(MapType::LpmTrie));
  EXPECT_EQ(spec("routes").keySize, 8u);
  EXPECT_EQ(spec("events").type, type(MapType::Ringbuf));
  EXPECT_EQ(spec("events").maxEntries, 4096u);

  const MapSpec &outer = spec("outer_array");
  EXPECT_EQ(outer.type, type(MapType::ArrayOfMaps));
  EXPECT_EQ(outer.valueSize, 4u);
  ASSERT_NE(outer.inner, nullptr);
  EXPECT_EQ(outer.inner->name, "outer_array.inner");
  EXPECT_EQ(outer.inner->type, type(MapType::Array));
  EXPECT_EQ(outer.inner->maxEntries, 2u);
  EXPECT_EQ(outer.inner->valueSize, 4u);
  ASSERT_NE(spec("outer_hash").inner, nullptr);
  EXPECT_EQ(spec("jump_table").type, type(MapType::ProgArray));
  EXPECT_EQ(spec("jump_table").valueSize, 4u);
  EXPECT_EQ(spec("jump_table").inner, nullptr);
}

TEST(Loader, InitialSlotsOfMapInMapAndProgArray) {
  ObjectImage image = load("map_attrs.clang.o");
  std::set<std::tuple<std::string, uint32_t, std::string>> mapSlots, progSlots;
  for (const MapInMapInit &init : image.mapInMapInits)
    mapSlots.emplace(image.maps[init.outer].name, init.slot, image.maps[init.inner].name);
  for (const ProgArrayInit &init : image.progArrayInits)
    progSlots.emplace(image.maps[init.map].name, init.slot, image.programs[init.program].name);
  EXPECT_EQ(mapSlots, (std::set<std::tuple<std::string, uint32_t, std::string>>{
                          {"outer_array", 0, "inner_a"},
                          {"outer_array", 2, "inner_b"},
                          {"outer_hash", 5, "inner_b"}}));
  EXPECT_EQ(progSlots, (std::set<std::tuple<std::string, uint32_t, std::string>>{
                           {"jump_table", 1, "tail_one"}, {"jump_table", 3, "tail_two"}}));
}

TEST(Loader, GlobalDataSectionsBecomeOneEntryArrays) {
  ObjectImage image = load("global_data.clang.o");
  for (const char *name :
       {".data", ".bss", ".rodata", ".data.custom", ".rodata.custom", ".rodata.str1.1"}) {
    int index = image.findMap(name);
    ASSERT_GE(index, 0) << name;
    const MapSpec &spec = image.maps[index];
    EXPECT_EQ(spec.type, static_cast<uint32_t>(ir::MapType::Array)) << name;
    EXPECT_EQ(spec.keySize, 4u) << name;
    EXPECT_EQ(spec.maxEntries, 1u) << name;
    EXPECT_EQ(spec.initialValue.size(), spec.valueSize) << name;
    bool rodata = std::string(name).starts_with(".rodata");
    EXPECT_EQ(spec.readOnlyForProgram, rodata) << name;
    EXPECT_EQ((spec.flags & 0x80) != 0, rodata) << name; // BPF_F_RDONLY_PROG
  }
  const MapSpec &data = image.maps[image.findMap(".data")];
  int32_t counter;
  std::memcpy(&counter, data.initialValue.data(), 4);
  EXPECT_EQ(counter, 42);
  const MapSpec &bss = image.maps[image.findMap(".bss")];
  EXPECT_EQ(bss.valueSize, 8u);
  EXPECT_EQ(std::count(bss.initialValue.begin(), bss.initialValue.end(), 0), 8);
  const MapSpec &strings = image.maps[image.findMap(".rodata.str1.1")];
  EXPECT_EQ(std::string(strings.initialValue.begin(), strings.initialValue.end()),
            std::string("counter %d\n", 12));
  // libbpf makes data maps with visible globals mmap()-able, others not.
  EXPECT_EQ(data.flags, 0x400u);
  EXPECT_EQ(strings.flags, 0x80u);

  // Every global-data reference lands on the variable it names.
  const ProgramImage &use = program(image, "use_globals");
  std::set<uint32_t> seenValues;
  for (uint32_t pc = 0; pc + 1 < use.insns.size(); ++pc) {
    const Insn &insn = use.insns[pc];
    if (insn.opcode != kLdImm64 || insn.src != op::kPseudoMapIdxValue)
      continue;
    const MapSpec &spec = image.maps.at(insn.imm);
    uint32_t offset = static_cast<uint32_t>(use.insns[pc + 1].imm);
    ASSERT_LE(offset + 4, spec.valueSize) << spec.name;
    if (spec.name == ".data") {
      uint32_t value;
      std::memcpy(&value, spec.initialValue.data() + offset, 4);
      seenValues.insert(value);
    }
  }
  EXPECT_TRUE(seenValues.contains(0x55667788u));
  EXPECT_TRUE(seenValues.contains(42u));
}

TEST(Loader, NamedBssVariant) {
  ObjectImage image = load("bss_variant.clang.o");
  int index = image.findMap(".bss.extra");
  ASSERT_GE(index, 0);
  EXPECT_EQ(image.maps[index].valueSize, 16u);
  EXPECT_FALSE(image.maps[index].readOnlyForProgram);
}

TEST(Loader, CoreRelocationsKeepCompiledOffsetsWithAWarning) {
  ObjectImage image = load("core_access.clang.o");
  ASSERT_EQ(image.warnings.size(), 1u);
  EXPECT_EQ(image.warnings[0], "1 CO-RE relocations are not applied: field offsets stay as "
                               "compiled, which matches the runtime's UAPI context structs but "
                               "not kernel-internal types");
  const ProgramImage &core = program(image, "core_read");
  bool loadsIfindex = false;
  for (const Insn &insn : core.insns)
    loadsIfindex |= insn.opcode == 0x61 && insn.offset == 12; // ldxw from ctx + 12
  EXPECT_TRUE(loadsIfindex);
  EXPECT_NE(formatObjectSummary(image).find("warning: 1 CO-RE relocations"), std::string::npos);
}

TEST(Loader, UnknownSectionNamesLeaveTheTypeUnspecUntilAsked) {
  ObjectImage image = load("sections.clang.o");
  EXPECT_EQ(program(image, "drop_all").type, ir::ProgramType::Unspec);
  EXPECT_EQ(program(image, "classify").type, ir::ProgramType::Unspec);
  EXPECT_EQ(program(image, "probe").type, ir::ProgramType::Kprobe);

  auto selected = selectProgram(image, "drop_all", "--type=TYPE");
  ASSERT_FALSE(selected);
  EXPECT_NE(selected.error().message.find("sections.clang.o: error: program 'drop_all' is in "
                                          "section 'xdp_prog'"),
            std::string::npos)
      << selected.error().message;
  EXPECT_NE(selected.error().message.find("did you mean 'xdp'?"), std::string::npos);
  EXPECT_NE(selected.error().message.find("--type=TYPE"), std::string::npos);
  EXPECT_TRUE(selectProgram(image, "probe"));
}

TEST(Loader, ProgramTypesFromOptions) {
  LoadOptions options;
  options.sectionProgramTypes["classifier/ingress"] = ir::ProgramType::SchedCls;
  options.sectionProgramTypes["kprobe/do_sys_open"] = ir::ProgramType::SocketFilter;
  options.defaultProgramType = ir::ProgramType::Xdp;
  ObjectImage image = load("sections.clang.o", options);
  EXPECT_EQ(program(image, "drop_all").type, ir::ProgramType::Xdp);
  EXPECT_EQ(program(image, "classify").type, ir::ProgramType::SchedCls);
  EXPECT_EQ(program(image, "probe").type, ir::ProgramType::SocketFilter);
}

TEST(Loader, TextOnlyObjectsExposeGlobalTextFunctionsAsPrograms) {
  ObjectImage image = load("text_only.clang.o");
  ASSERT_EQ(image.programs.size(), 1u);
  EXPECT_EQ(image.programs[0].name, "prog");
  EXPECT_EQ(image.programs[0].section, ".text");
  EXPECT_EQ(functionNames(image.programs[0]), (std::vector<std::string>{"prog", "flood"}));
  ASSERT_EQ(image.maps.size(), 1u);
  EXPECT_EQ(image.maps[0].name, "inports");
  EXPECT_EQ(image.maps[0].keySize, 6u);
}

TEST(Loader, SelectProgramByNameSectionOrAsTheOnlyOne) {
  ObjectImage image = load("multi_prog.clang.o");
  auto byName = selectProgram(image, "xdp_second");
  ASSERT_TRUE(byName);
  EXPECT_EQ((*byName)->name, "xdp_second");
  auto bySection = selectProgram(image, "tc");
  ASSERT_TRUE(bySection);
  EXPECT_EQ((*bySection)->name, "tc_main");
  auto ambiguous = selectProgram(image, "");
  ASSERT_FALSE(ambiguous);
  EXPECT_NE(ambiguous.error().message.find("has 3 programs; choose one"), std::string::npos);
  auto missing = selectProgram(image, "nope");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("no program or section named 'nope'; its programs are: "
                                         "xdp_first (section xdp)"),
            std::string::npos)
      << missing.error().message;
  ObjectImage single = load("global_data.clang.o");
  auto only = selectProgram(single, "");
  ASSERT_TRUE(only);
  EXPECT_EQ((*only)->name, "use_globals");
}

TEST(Loader, SectionsAreClassified) {
  ObjectImage image = load("global_data.clang.o");
  auto kindOf = [&](const std::string &name) {
    for (const SectionInfo &section : image.sections)
      if (section.name == name)
        return section.kind;
    return SectionKind::Ignored;
  };
  EXPECT_EQ(kindOf("xdp"), SectionKind::Program);
  EXPECT_EQ(kindOf(".data"), SectionKind::Data);
  EXPECT_EQ(kindOf(".data.custom"), SectionKind::Data);
  EXPECT_EQ(kindOf(".rodata.str1.1"), SectionKind::Rodata);
  EXPECT_EQ(kindOf(".bss"), SectionKind::Bss);
  EXPECT_EQ(kindOf("license"), SectionKind::License);
  EXPECT_EQ(kindOf(".BTF"), SectionKind::Btf);
  EXPECT_EQ(kindOf(".BTF.ext"), SectionKind::BtfExt);
  EXPECT_EQ(kindOf(".symtab"), SectionKind::Symbols);
  EXPECT_EQ(kindOf(".debug_info"), SectionKind::Debug);
}

TEST(Loader, SummaryListsSectionsMapsProgramsAndSlots) {
  ObjectImage image = load("map_attrs.clang.o");
  std::string summary = formatObjectSummary(image);
  EXPECT_NE(summary.find("4 programs, 12 maps, license \"GPL\""), std::string::npos) << summary;
  EXPECT_NE(summary.find("flows                hash key 12 value 16 max_entries 128 flags 0x1"),
            std::string::npos)
      << summary;
  EXPECT_NE(summary.find("outer_array          array_of_maps key 4 value 4 max_entries 4 inner "
                         "(array key 4 value 4 max_entries 2)"),
            std::string::npos)
      << summary;
  EXPECT_NE(summary.find("jump_table[3] = program tail_two"), std::string::npos) << summary;
  EXPECT_NE(summary.find("outer_hash[5] = map inner_b"), std::string::npos) << summary;
  EXPECT_NE(summary.find(".maps                    BTF maps"), std::string::npos) << summary;
  EXPECT_NE(summary.find("dispatch section xdp type xdp"), std::string::npos) << summary;
}

TEST(Loader, SummaryWithLinesListsEveryLineEntry) {
  ObjectImage image = load("multi_prog.clang.o");
  std::string summary = formatObjectSummary(image, true);
  const LineInfo &first = image.programs[0].lines.front();
  EXPECT_NE(summary.find("        0 " + describeSourcePosition(first) + " " + first.text + "\n"),
            std::string::npos)
      << summary;
  EXPECT_EQ(formatObjectSummary(image).find(first.text), std::string::npos);
}

TEST(Loader, MapReferencesAcceptEveryDataRelocationType) {
  std::vector<uint8_t> original = test::readObjectBytes("multi_prog.clang.o");
  auto expected = loadObject(original, "multi_prog.o");
  ASSERT_TRUE(expected) << expected.error().message;
  for (uint32_t type : {2u /* R_BPF_64_ABS64 */, 4u /* R_BPF_64_NODYLD32 */}) {
    test::ElfEditor editor(original);
    for (Elf64_Rel *rel : editor.relocationsFor("xdp"))
      if (ELF64_R_TYPE(rel->r_info) == 1)
        rel->r_info = ELF64_R_INFO(ELF64_R_SYM(rel->r_info), type);
    auto image = loadObject(std::move(editor.bytes()), "multi_prog.o");
    ASSERT_TRUE(image) << image.error().message;
    for (size_t i = 0; i < image->programs.size(); ++i)
      EXPECT_EQ(std::memcmp(image->programs[i].insns.data(), expected->programs[i].insns.data(),
                            expected->programs[i].insns.size() * sizeof(Insn)),
                0);
  }
}

// ebpfc compiles with clang in-process, so its objects must load into the
// same programs, maps and slots.
TEST(Loader, EbpfcObjectsLoadLikeClangOnes) {
  for (const char *input : {"multi_prog", "map_attrs", "global_data"}) {
    SCOPED_TRACE(input);
    std::string ebpfcObject = std::string(input) + ".ebpfc.o";
    if (test::readObjectBytes(ebpfcObject).empty())
      GTEST_SKIP() << ebpfcObject << " was not built (it needs the ebpfc compiler: build the "
                   << "default target or runtime_loader_ebpfc_objects)";
    ObjectImage ours = load(ebpfcObject);
    ObjectImage clang = load(std::string(input) + ".clang.o");
    ASSERT_EQ(ours.programs.size(), clang.programs.size());
    for (size_t i = 0; i < ours.programs.size(); ++i) {
      EXPECT_EQ(ours.programs[i].name, clang.programs[i].name);
      EXPECT_EQ(ours.programs[i].section, clang.programs[i].section);
      EXPECT_EQ(ours.programs[i].type, clang.programs[i].type);
      EXPECT_EQ(functionNames(ours.programs[i]), functionNames(clang.programs[i]));
      EXPECT_FALSE(ours.programs[i].lines.empty());
    }
    ASSERT_EQ(ours.maps.size(), clang.maps.size());
    for (size_t i = 0; i < ours.maps.size(); ++i) {
      EXPECT_EQ(describeMap(ours.maps[i]), describeMap(clang.maps[i]));
      EXPECT_EQ(ours.maps[i].name, clang.maps[i].name);
    }
    EXPECT_EQ(ours.progArrayInits.size(), clang.progArrayInits.size());
    EXPECT_EQ(ours.mapInMapInits.size(), clang.mapInMapInits.size());
  }
}

TEST(Loader, MissingFileIsAnError) {
  auto image = loadObjectFile("/nonexistent/prog.o");
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().message, "/nonexistent/prog.o: error: cannot open: No such file or "
                                   "directory");
}

} // namespace
} // namespace ebpfc::runtime
