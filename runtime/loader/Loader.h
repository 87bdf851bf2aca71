// Loads an eBPF ELF object (from ebpfc, clang or gcc-bpf) into an
// ObjectImage: programs with subprograms appended and relocations resolved,
// map specs (BTF-defined, legacy and global data), initial prog-array and
// map-in-map slots, license, kernel version and line info.
//
// Every problem with the object is returned as one clear message naming the
// file; malformed input never crashes the process.
#pragma once

#include "ir/ProgramType.h"
#include "runtime/loader/Expected.h"
#include "runtime/loader/LegacyMaps.h"
#include "runtime/loader/Object.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ebpfc::runtime {

struct LoadOptions {
  // Program types by exact section name; they take precedence over the
  // section-name convention, e.g. {"classifier/ingress", SchedCls} for an
  // iproute2-style object.
  std::map<std::string, ir::ProgramType, std::less<>> sectionProgramTypes;
  // Type of programs in sections neither the table above nor libbpf's
  // convention names (e.g. "xdp_prog"); without it they stay Unspec.
  std::optional<ir::ProgramType> defaultProgramType;
  // How to read a legacy "maps" section.
  LegacyMapLayout legacyMapLayout = LegacyMapLayout::Auto;
};

// Objects larger than this are refused before reading.
inline constexpr uint64_t kMaxObjectSize = uint64_t{1} << 30;
// Global-data sections larger than this are refused (the kernel refuses
// array values of even a few MiB).
inline constexpr uint64_t kMaxGlobalDataSize = uint64_t{64} << 20;

Expected<ObjectImage> loadObjectFile(const std::string &path, const LoadOptions &options = {});
// `name` stands for the file in messages and becomes ObjectImage::path.
Expected<ObjectImage> loadObject(std::vector<uint8_t> bytes, const std::string &name,
                                 const LoadOptions &options = {});

// The program to run, by entry function name or section name; with an
// empty `nameOrSection`, the object's only program. Errors list the
// programs there are, or, for a program whose type is unknown, say how to
// give it: `typeOptionHint` is how the caller's user sets a type (e.g.
// "--type=TYPE"); empty for a generic hint.
Expected<const ProgramImage *> selectProgram(const ObjectImage &image,
                                             std::string_view nameOrSection,
                                             std::string_view typeOptionHint = {});

} // namespace ebpfc::runtime
