#include "ir/Target.h"

namespace ebpfc::ir {

std::string_view isaName(IsaLevel isa) {
  switch (isa) {
  case IsaLevel::V1: return "v1";
  case IsaLevel::V2: return "v2";
  case IsaLevel::V3: return "v3";
  case IsaLevel::V4: return "v4";
  }
  return "v1";
}

std::optional<IsaLevel> parseIsa(std::string_view name) {
  if (name == "v1" || name == "generic") return IsaLevel::V1;
  if (name == "v2") return IsaLevel::V2;
  if (name == "v3") return IsaLevel::V3;
  if (name == "v4") return IsaLevel::V4;
  return std::nullopt;
}

IsaLevel Target::maxIsaFor(KernelVersion kernel) {
  if (kernel >= KernelVersion{6, 6}) return IsaLevel::V4;
  if (kernel >= KernelVersion{5, 1}) return IsaLevel::V3;
  if (kernel >= KernelVersion{4, 14}) return IsaLevel::V2;
  return IsaLevel::V1;
}

KernelVersion Target::firstKernelFor(IsaLevel isa) {
  switch (isa) {
  case IsaLevel::V1: return {3, 18};
  case IsaLevel::V2: return {4, 14};
  case IsaLevel::V3: return {5, 1};
  case IsaLevel::V4: return {6, 6};
  }
  return {3, 18};
}

Target Target::forKernel(KernelVersion kernel) {
  Target t;
  t.kernel = kernel;
  t.isa = maxIsaFor(kernel);
  t.boundedLoops = kernel >= KernelVersion{5, 3};
  t.globalData = kernel >= KernelVersion{5, 2};
  t.insnLimit = kernel >= KernelVersion{5, 2} ? 1000000 : 4096;
  return t;
}

} // namespace ebpfc::ir
