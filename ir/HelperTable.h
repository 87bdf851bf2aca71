// The one table of eBPF helper functions. The C frontend's checks, the helper
// availability pass, the backend and the runtime's helper registry all key off
// it. Rows live in Helpers.def (one HELPER(...) line per helper).
#pragma once

#include "ir/KernelVersion.h"
#include "ir/ProgramType.h"

#include <cstdint>
#include <span>
#include <string>
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
  // Program types whose verifier accepts a call in Linux 6.1 for at least one
  // attach type, assuming the loader holds CAP_BPF and CAP_PERFMON. Ext
  // programs never appear: they get the helpers of the program they replace.
  ProgramTypeSet allowed;
  // Needs a GPL-compatible license. Two helpers relax this for one program
  // type (bpf_get_stackid in perf_event, bpf_get_func_ip in kprobe.multi);
  // the flag says what holds everywhere else.
  bool gplOnly;
  HelperArg args[5];             // argument kinds, None-terminated
};

// The last helper id Linux 6.1 defines (bpf_user_ringbuf_drain).
inline constexpr uint32_t kLastHelperId = 209;

// Every helper Linux 6.1 defines (ids 1..kLastHelperId), ordered by id.
std::span<const HelperInfo> allHelpers();
const HelperInfo *findHelper(uint32_t id);
const HelperInfo *findHelper(std::string_view name); // with or without the "bpf_" prefix

// The program types in `types` by kernel name, in enum order, comma
// separated ("sched_cls, sched_act, xdp"), for diagnostics.
std::string programTypeListText(ProgramTypeSet types);

} // namespace ebpfc::ir
