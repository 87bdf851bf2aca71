// What the compiled program may assume about the kernel that will load it.
// Everything version-dependent in the compiler derives from this one place.
#pragma once

#include "ir/KernelVersion.h"

#include <cstdint>
#include <optional>
#include <string_view>

namespace ebpfc::ir {

// eBPF instruction-set levels, as LLVM's -mcpu names them.
enum class IsaLevel : uint8_t { V1 = 1, V2 = 2, V3 = 3, V4 = 4 };

std::string_view isaName(IsaLevel isa); // "v1".."v4"
std::optional<IsaLevel> parseIsa(std::string_view name); // "v1".."v4", "generic"(=v1), "probe"

struct Target {
  KernelVersion kernel = kDefaultTargetKernel;
  IsaLevel isa = IsaLevel::V3;
  bool boundedLoops = true;   // verifier accepts loops with a provable bound (5.3)
  bool globalData = true;     // .data/.bss/.rodata as maps (5.2)
  uint32_t insnLimit = 1000000; // processed-instruction limit (4096 before 5.2)

  // The target for a kernel version, with the highest ISA it verifies.
  static Target forKernel(KernelVersion kernel);
  // Highest ISA the given kernel accepts: v2 from 4.14, v3 from 5.1, v4 from 6.6.
  static IsaLevel maxIsaFor(KernelVersion kernel);
  // First kernel that accepts the ISA level.
  static KernelVersion firstKernelFor(IsaLevel isa);
};

} // namespace ebpfc::ir
