#include "runtime/loader/Loader.h"

#include "ir/MapType.h"
#include "runtime/loader/Btf.h"
#include "runtime/loader/BtfExt.h"
#include "runtime/loader/BtfMaps.h"
#include "runtime/loader/Bytes.h"
#include "runtime/loader/ElfFile.h"
#include "runtime/loader/MapDefinition.h"
#include "runtime/loader/ProgramLinker.h"
#include "runtime/loader/Relocation.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <llvm/BinaryFormat/ELF.h>

namespace ebpfc::runtime {

namespace {

constexpr uint32_t kMapFlagReadOnlyProg = 0x80; // BPF_F_RDONLY_PROG
constexpr uint32_t kMapFlagMmapable = 0x400;    // BPF_F_MMAPABLE

bool nameIsOrExtends(std::string_view name, std::string_view base) {
  return name == base ||
         (name.starts_with(base) && name.size() > base.size() && name[base.size()] == '.');
}

SectionKind classify(const ElfSection &section) {
  using namespace llvm::ELF;
  const std::string &name = section.name;
  if (section.type == SHT_SYMTAB)
    return SectionKind::Symbols;
  if (section.type == SHT_STRTAB)
    return SectionKind::Strings;
  if (section.type == SHT_REL || section.type == SHT_RELA)
    return SectionKind::Relocations;
  if (name.starts_with(".debug_"))
    return SectionKind::Debug;
  if (section.executable())
    return section.size == 0 ? SectionKind::Ignored
           : name == ".text" ? SectionKind::Subprograms
                             : SectionKind::Program;
  if (name == "license")
    return SectionKind::License;
  if (name == "version")
    return SectionKind::Version;
  if (name == "maps")
    return SectionKind::LegacyMaps;
  if (name == ".maps")
    return SectionKind::BtfMaps;
  if (name == ".BTF")
    return SectionKind::Btf;
  if (name == ".BTF.ext")
    return SectionKind::BtfExt;
  if (section.type == SHT_PROGBITS && section.size > 0 && nameIsOrExtends(name, ".data"))
    return SectionKind::Data;
  if (section.type == SHT_PROGBITS && section.size > 0 && nameIsOrExtends(name, ".rodata"))
    return SectionKind::Rodata;
  if (section.type == SHT_NOBITS && section.size > 0 && nameIsOrExtends(name, ".bss"))
    return SectionKind::Bss;
  return SectionKind::Ignored;
}

// Whether the DATASEC of a global-data section has a variable user space can
// see (global, not hidden): libbpf then makes the map mmap()-able.
bool hasVisibleGlobal(const ElfFile &elf, const ElfSection &section, const Btf *btf) {
  if (!btf)
    return false;
  auto datasec = btf->findDatasec(section.name);
  if (!datasec)
    return false;
  for (const BtfVarSecinfo &secinfo : btf->type(*datasec).vars) {
    const BtfType &var = btf->type(secinfo.type);
    if (var.kind != BtfKind::Var || var.linkage == kBtfVarStatic)
      continue;
    for (const ElfSymbol &symbol : elf.symbols())
      if (symbol.section == section.index && symbol.name == btf->name(var) &&
          symbol.visibility != llvm::ELF::STV_HIDDEN &&
          symbol.visibility != llvm::ELF::STV_INTERNAL)
        return true;
  }
  return false;
}

Expected<MapDefinition> globalDataMap(const ElfFile &elf, const ElfSection &section,
                                      SectionKind kind, const Btf *btf) {
  if (section.size > kMaxGlobalDataSize)
    return errorIn(elf.file(), fmt::format("global-data section '{}' is {} bytes; sections larger "
                                           "than {} bytes are refused",
                                           section.name, section.size, kMaxGlobalDataSize));
  MapDefinition map;
  MapSpec &spec = map.spec;
  spec.name = section.name;
  spec.type = static_cast<uint32_t>(ir::MapType::Array);
  spec.keySize = 4;
  spec.valueSize = static_cast<uint32_t>(section.size);
  spec.maxEntries = 1;
  if (kind == SectionKind::Rodata)
    spec.flags |= kMapFlagReadOnlyProg;
  if (hasVisibleGlobal(elf, section, btf))
    spec.flags |= kMapFlagMmapable;
  if (kind == SectionKind::Bss)
    spec.initialValue.assign(section.size, 0);
  else
    spec.initialValue.assign(section.bytes.begin(), section.bytes.end());
  map.section = section.index;
  map.offset = 0;
  map.size = section.size;
  map.globalData = true;
  return map;
}

void resolveProgramType(ProgramImage &program, const LoadOptions &options) {
  if (auto it = options.sectionProgramTypes.find(program.section);
      it != options.sectionProgramTypes.end()) {
    program.type = it->second;
  } else if (const ir::SectionRule *rule = ir::findSectionRule(program.section)) {
    program.type = rule->type;
    program.expectedAttachType = rule->expectedAttachType;
  } else if (options.defaultProgramType) {
    program.type = *options.defaultProgramType;
  }
}

// "ID/KEY" with C integer syntax (decimal, 0x hex, 0 octal), as iproute2's
// sscanf("%i/%i") reads tail-call section names.
std::optional<std::pair<uint32_t, uint32_t>> parseTailCallSection(const std::string &name) {
  const char *text = name.c_str();
  char *end = nullptr;
  errno = 0;
  unsigned long id = std::strtoul(text, &end, 0);
  if (end == text || *end != '/' || errno != 0 || id > UINT32_MAX)
    return std::nullopt;
  const char *keyText = end + 1;
  unsigned long key = std::strtoul(keyText, &end, 0);
  if (end == keyText || *end != '\0' || errno != 0 || key > UINT32_MAX)
    return std::nullopt;
  return std::pair(static_cast<uint32_t>(id), static_cast<uint32_t>(key));
}

class ObjectLoader {
public:
  ObjectLoader(ElfFile elf, const LoadOptions &options) : elf_(std::move(elf)), options_(options) {}
  Expected<ObjectImage> run();

private:
  LoadError fail(const std::string &what) const { return errorIn(elf_.file(), what); }
  Expected<void> readSections();
  Expected<void> readMaps();
  void readPrograms(const CodeModel &code);
  Expected<void> readInitialSlots();

  ElfFile elf_;
  const LoadOptions &options_;
  ObjectImage image_;
  std::optional<Btf> btf_;
  std::optional<BtfExt> btfExt_;
  const ElfSection *legacyMapsSection_ = nullptr;
  const ElfSection *btfMapsSection_ = nullptr;
  std::vector<std::pair<const ElfSection *, SectionKind>> globalDataSections_;
  std::vector<MapDefinition> maps_;
  LegacyMaps legacyMaps_;
  // Entry function (ELF section, byte offset) of each program.
  std::vector<std::pair<uint32_t, uint64_t>> programEntries_;
};

Expected<void> ObjectLoader::readSections() {
  const ElfSection *btfSection = nullptr;
  const ElfSection *btfExtSection = nullptr;
  for (const ElfSection &section : elf_.sections()) {
    if (section.index == 0)
      continue;
    SectionKind kind = classify(section);
    image_.sections.push_back(SectionInfo{section.index, section.name, kind, section.size});
    switch (kind) {
    case SectionKind::License: {
      std::string_view text(reinterpret_cast<const char *>(section.bytes.data()),
                            section.bytes.size());
      image_.license = std::string(text.substr(0, text.find('\0')));
      break;
    }
    case SectionKind::Version:
      if (section.bytes.size() != 4)
        return fail(fmt::format("section 'version' must hold one u32 (the kernel version code), "
                                "but has {} bytes",
                                section.bytes.size()));
      image_.kernelVersion = readLe32(section.bytes, 0);
      break;
    case SectionKind::LegacyMaps: legacyMapsSection_ = &section; break;
    case SectionKind::BtfMaps: btfMapsSection_ = &section; break;
    case SectionKind::Btf: btfSection = &section; break;
    case SectionKind::BtfExt: btfExtSection = &section; break;
    case SectionKind::Data:
    case SectionKind::Rodata:
    case SectionKind::Bss: globalDataSections_.emplace_back(&section, kind); break;
    default: break;
    }
  }
  if (btfSection) {
    auto btf = Btf::parse(btfSection->bytes, elf_.file());
    if (!btf)
      return btf.takeError();
    btf_ = std::move(*btf);
  }
  if (btfExtSection) {
    if (!btf_) {
      image_.warnings.push_back(".BTF.ext is ignored because the object has no .BTF");
    } else {
      auto ext = BtfExt::parse(btfExtSection->bytes, *btf_, elf_.file());
      if (!ext)
        return ext.takeError();
      btfExt_ = std::move(*ext);
      if (uint32_t count = btfExt_->coreRelocationCount())
        image_.warnings.push_back(fmt::format(
            "{} CO-RE relocations are not applied: field offsets stay as compiled, which matches "
            "the runtime's UAPI context structs but not kernel-internal types",
            count));
    }
  }
  return {};
}

Expected<void> ObjectLoader::readMaps() {
  const Btf *btf = btf_ ? &*btf_ : nullptr;
  if (legacyMapsSection_) {
    auto legacy = readLegacyMaps(elf_, *legacyMapsSection_, options_.legacyMapLayout, btf);
    if (!legacy)
      return legacy.takeError();
    legacyMaps_ = std::move(*legacy);
    maps_ = legacyMaps_.maps;
  }
  if (btfMapsSection_) {
    if (!btf)
      return fail("the object has a .maps section but no .BTF to describe its maps; compile "
                  "with -g (clang) so the map definitions get BTF");
    auto btfMaps = readBtfMaps(elf_, *btfMapsSection_, *btf);
    if (!btfMaps)
      return btfMaps.takeError();
    maps_.insert(maps_.end(), btfMaps->begin(), btfMaps->end());
  }
  for (const auto &[section, kind] : globalDataSections_) {
    auto map = globalDataMap(elf_, *section, kind, btf);
    if (!map)
      return map.takeError();
    maps_.push_back(std::move(*map));
  }
  for (MapDefinition &map : maps_)
    if (map.spec.flags & kMapFlagReadOnlyProg)
      map.spec.readOnlyForProgram = true;
  return {};
}

void ObjectLoader::readPrograms(const CodeModel &code) {
  // Functions of .text are subprograms, except in objects without any
  // program section, whose global .text functions are the programs (the
  // convention of uBPF-based data planes such as BPFabric).
  bool hasProgramSection = false;
  for (const CodeFunction &function : code.functions)
    hasProgramSection |= code.findSection(function.section)->name != ".text";
  const Btf *btf = btf_ ? &*btf_ : nullptr;
  const BtfExt *ext = btfExt_ ? &*btfExt_ : nullptr;
  for (uint32_t i = 0; i < code.functions.size(); ++i) {
    const CodeFunction &function = code.functions[i];
    bool inText = code.findSection(function.section)->name == ".text";
    if (hasProgramSection ? inText : !function.global)
      continue;
    ProgramImage program = linkProgram(code, i, btf, ext);
    resolveProgramType(program, options_);
    programEntries_.emplace_back(function.section, uint64_t{function.firstInsn} * 8);
    image_.programs.push_back(std::move(program));
  }
}

Expected<void> ObjectLoader::readInitialSlots() {
  if (btfMapsSection_) {
    ProgramLookup programIndexOf = [&](const ElfSymbol &symbol) -> std::optional<uint32_t> {
      for (uint32_t i = 0; i < programEntries_.size(); ++i)
        if (programEntries_[i] == std::pair(symbol.section, symbol.value))
          return i;
      return std::nullopt;
    };
    if (auto ok = readBtfMapInitialValues(elf_, *btfMapsSection_, maps_, programIndexOf,
                                          image_.progArrayInits, image_.mapInMapInits);
        !ok)
      return ok;
  }
  // Legacy maps come first in the map table, so their indexes carry over.
  image_.mapInMapInits.insert(image_.mapInMapInits.end(), legacyMaps_.mapInMapInits.begin(),
                              legacyMaps_.mapInMapInits.end());
  // iproute2's tail calls: the program of section "ID/KEY" goes to slot KEY
  // of the prog array whose bpf_elf_map id is ID.
  for (uint32_t program = 0; program < image_.programs.size(); ++program) {
    const std::string &section = image_.programs[program].section;
    auto tailCall = parseTailCallSection(section);
    if (!tailCall || (program > 0 && image_.programs[program - 1].section == section))
      continue;
    for (uint32_t map = 0; map < legacyMaps_.elfMapIds.size(); ++map) {
      if (legacyMaps_.elfMapIds[map] != tailCall->first)
        continue;
      const MapSpec &spec = maps_[map].spec;
      if (spec.type != static_cast<uint32_t>(ir::MapType::ProgArray))
        return fail(fmt::format("tail-call section '{}' names map id {}, but map '{}' with that "
                                "id is not a prog array",
                                section, tailCall->first, spec.name));
      if (tailCall->second >= spec.maxEntries)
        return fail(fmt::format("tail-call section '{}' uses key {} of prog array '{}', which "
                                "has max_elem {}",
                                section, tailCall->second, spec.name, spec.maxEntries));
      image_.progArrayInits.push_back(ProgArrayInit{map, tailCall->second, program});
      break;
    }
  }
  return {};
}

Expected<ObjectImage> ObjectLoader::run() {
  image_.path = elf_.file();
  if (auto ok = readSections(); !ok)
    return ok.takeError();
  if (auto ok = readMaps(); !ok)
    return ok.takeError();
  auto code = relocateCode(elf_, maps_);
  if (!code)
    return code.takeError();
  if (btfExt_)
    if (auto ok = validateBtfExt(elf_, *code, *btfExt_); !ok)
      return ok.takeError();
  readPrograms(*code);
  if (auto ok = readInitialSlots(); !ok)
    return ok.takeError();
  for (MapDefinition &map : maps_)
    image_.maps.push_back(std::move(map.spec));
  if (btf_)
    image_.btf = std::make_shared<const Btf>(*btf_);
  return std::move(image_);
}

} // namespace

Expected<ObjectImage> loadObject(std::vector<uint8_t> bytes, const std::string &name,
                                 const LoadOptions &options) {
  if (bytes.size() > kMaxObjectSize)
    return errorIn(name, fmt::format("is {} bytes; objects larger than {} bytes are refused",
                                     bytes.size(), kMaxObjectSize));
  auto elf = ElfFile::parse(std::move(bytes), name);
  if (!elf)
    return elf.takeError();
  return ObjectLoader(std::move(*elf), options).run();
}

Expected<ObjectImage> loadObjectFile(const std::string &path, const LoadOptions &options) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in)
    return errorIn(path, fmt::format("cannot open: {}", std::strerror(errno)));
  std::streamoff size = in.tellg();
  if (size < 0)
    return errorIn(path, "cannot determine the file size (is it a regular file?)");
  if (static_cast<uint64_t>(size) > kMaxObjectSize)
    return errorIn(path, fmt::format("is {} bytes; objects larger than {} bytes are refused", size,
                                     kMaxObjectSize));
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  in.seekg(0);
  if (!in.read(reinterpret_cast<char *>(bytes.data()), size))
    return errorIn(path, "read error");
  return loadObject(std::move(bytes), path, options);
}

Expected<const ProgramImage *> selectProgram(const ObjectImage &image,
                                             std::string_view nameOrSection,
                                             std::string_view typeOptionHint) {
  auto listPrograms = [&] {
    std::string list;
    for (const ProgramImage &program : image.programs)
      list +=
          fmt::format("{}{} (section {})", list.empty() ? "" : ", ", program.name, program.section);
    return list;
  };
  if (image.programs.empty())
    return errorIn(image.path, "has no programs (no function in a code section such as "
                               "SEC(\"xdp\"))");
  const ProgramImage *program = nullptr;
  if (nameOrSection.empty()) {
    if (image.programs.size() != 1)
      return errorIn(image.path, fmt::format("has {} programs; choose one by name or section: {}",
                                             image.programs.size(), listPrograms()));
    program = &image.programs.front();
  } else {
    program = image.findProgram(std::string(nameOrSection));
    if (!program)
      return errorIn(image.path, fmt::format("has no program or section named '{}'; its "
                                             "programs are: {}",
                                             nameOrSection, listPrograms()));
  }
  if (program->type == ir::ProgramType::Unspec) {
    std::string message = fmt::format(
        "program '{}' is in section '{}', which does not name a program type the way libbpf's "
        "section names do (e.g. SEC(\"xdp\"), SEC(\"tc\"))",
        program->name, program->section);
    auto suggestions = ir::suggestSections(program->section);
    if (!suggestions.empty())
      message += fmt::format("; did you mean '{}'?", suggestions.front());
    message += typeOptionHint.empty()
                   ? std::string("; give the program type explicitly")
                   : fmt::format("; give the program type with {}", typeOptionHint);
    return errorIn(image.path, message);
  }
  return program;
}

} // namespace ebpfc::runtime
