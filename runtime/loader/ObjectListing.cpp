#include "runtime/loader/ObjectListing.h"

#include "ir/MapType.h"

#include <fmt/format.h>

namespace ebpfc::runtime {

std::string describeMap(const MapSpec &spec) {
  const ir::MapTypeInfo *info = ir::findMapType(spec.type);
  std::string text = info ? std::string(info->name) : fmt::format("type#{}", spec.type);
  text +=
      fmt::format(" key {} value {} max_entries {}", spec.keySize, spec.valueSize, spec.maxEntries);
  if (spec.flags)
    text += fmt::format(" flags {:#x}", spec.flags);
  if (spec.numaNode)
    text += fmt::format(" numa_node {}", spec.numaNode);
  if (spec.mapExtra)
    text += fmt::format(" map_extra {:#x}", spec.mapExtra);
  if (spec.pinning)
    text += fmt::format(" pinning {}", spec.pinning);
  if (spec.readOnlyForProgram)
    text += " read-only";
  if (spec.inner)
    text += " inner (" + describeMap(*spec.inner) + ")";
  return text;
}

std::string describeSourcePosition(const LineInfo &line) {
  if (line.column == 0)
    return fmt::format("{}:{}", line.file, line.line);
  return fmt::format("{}:{}:{}", line.file, line.line, line.column);
}

std::string formatObjectSummary(const ObjectImage &image, bool withLines) {
  std::string out = fmt::format("{}: {} programs, {} maps, license \"{}\"", image.path,
                                image.programs.size(), image.maps.size(), image.license);
  if (image.kernelVersion)
    out += fmt::format(", kernel version {:#x}", image.kernelVersion);
  out += "\nsections:\n";
  for (const SectionInfo &section : image.sections)
    out += fmt::format("  [{:2}] {:<24} {:<14} {} bytes\n", section.index, section.name,
                       sectionKindName(section.kind), section.size);
  out += "maps:\n";
  for (size_t i = 0; i < image.maps.size(); ++i) {
    const MapSpec &spec = image.maps[i];
    out += fmt::format("  {:2} {:<20} {}", i, spec.name, describeMap(spec));
    if (!spec.initialValue.empty())
      out += fmt::format(" ({} initial bytes)", spec.initialValue.size());
    out += "\n";
  }
  out += "programs:\n";
  for (const ProgramImage &program : image.programs) {
    out += fmt::format("  {} section {} type {} {} insns, {} line entries\n", program.name,
                       program.section, ir::programTypeName(program.type), program.insns.size(),
                       program.lines.size());
    for (const FunctionInfo &function : program.functions)
      out += fmt::format("    {:5} {} ({}+{:#x})\n", function.insn, function.name, function.section,
                         function.sectionOffset);
    if (withLines)
      for (const LineInfo &line : program.lines)
        out += fmt::format("    {:5} {} {}\n", line.insn, describeSourcePosition(line), line.text);
  }
  if (!image.progArrayInits.empty() || !image.mapInMapInits.empty()) {
    out += "initial slots:\n";
    for (const ProgArrayInit &init : image.progArrayInits)
      out += fmt::format("  {}[{}] = program {}\n", image.maps[init.map].name, init.slot,
                         image.programs[init.program].name);
    for (const MapInMapInit &init : image.mapInMapInits)
      out += fmt::format("  {}[{}] = map {}\n", image.maps[init.outer].name, init.slot,
                         image.maps[init.inner].name);
  }
  for (const std::string &warning : image.warnings)
    out += "warning: " + warning + "\n";
  return out;
}

} // namespace ebpfc::runtime
