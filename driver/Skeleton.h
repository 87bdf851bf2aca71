// `ebpfc --skeleton FILE.skel.h`: a C header for user-space loaders. It
// embeds the compiled object and declares one struct with typed handles to
// the object's programs, maps and global variables, plus open/load/attach/
// destroy functions over libbpf's skeleton API, so a loader is a few lines:
//
//   struct prog *skel = prog__open_and_load();
//   skel->rodata->port = 53;            // before load: .rodata is writable
//   bpf_program__attach_xdp(skel->progs.filter, ifindex);
//   prog__destroy(skel);
//
// The generator reads the finished object (not the IR), so the names it
// lists are exactly the ones libbpf finds, whatever the source language.
#pragma once

#include "ir/Diagnostics.h"

#include <optional>
#include <string>
#include <string_view>

namespace ebpfc::driver {

// The C identifier a skeleton file stands for: "out/xdp_filter.skel.h" ->
// "xdp_filter"; characters a C identifier cannot hold become '_'.
std::string skeletonName(const std::string &skeletonPath);

// The header for the ELF object `object`, whose functions and types are
// prefixed with `name`. nullopt after reporting through `diags` why the
// object cannot be described (e.g. its BTF is malformed).
std::optional<std::string> generateSkeleton(std::string_view object, const std::string &name,
                                            ir::DiagnosticEngine &diags);

} // namespace ebpfc::driver
