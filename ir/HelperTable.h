// The one table of eBPF helper functions. The C frontend's checks, the helper
// availability pass, the backend and the runtime's helper registry all key off
// it. Rows live in Helpers.def (one HELPER(...) line per helper).
#pragma once

#include "ir/KernelVersion.h"
#include "ir/ProgramType.h"

#include <cstdint>
#include <span>
#include <string_view>

namespace ebpfc::ir {

// What a helper argument is, as far as the compiler and the runtime's checked
// mode care (a simplification of the kernel's enum bpf_arg_type).
enum class HelperArg : uint8_t {
  None,        // no such argument
  Anything,    // any scalar or pointer
  Ctx,         // the program's context pointer
  ConstMap,    // pointer to a map (from the .maps section)
  MapKey,      // pointer to memory of the map's key size
  MapValue,    // pointer to memory of the map's value size
  Mem,         // pointer to readable memory, size in the next MemSize argument
  UninitMem,   // pointer to writable memory, size in the next MemSize argument
  MemSize,     // size of the preceding Mem/UninitMem argument
  Scalar,      // integer value
  Ptr,         // other pointer (socket, spin lock, timer, ...)
};

struct HelperInfo {
  uint32_t id;                   // BPF_FUNC_* value
  std::string_view name;         // "bpf_map_lookup_elem"
  std::string_view signature;    // C prototype, as in the kernel's uapi documentation
  KernelVersion since;           // first kernel release that has the helper
  ProgramTypeSet allowed;        // program types whose verifier accepts a call in Linux 6.1
  bool gplOnly;                  // needs a GPL-compatible license
  HelperArg args[5];             // argument kinds, None-terminated
};

// Every helper Linux 6.1 defines (ids 1..208), ordered by id.
std::span<const HelperInfo> allHelpers();
const HelperInfo *findHelper(uint32_t id);
const HelperInfo *findHelper(std::string_view name); // with or without the "bpf_" prefix

} // namespace ebpfc::ir
