#include "ir/HelperTable.h"

#include <array>

namespace ebpfc::ir {

namespace {
using PT = ProgramType;

// Program-type groups that share a verifier func_proto chain in Linux 6.1.
constexpr ProgramTypeSet kBaseTypes = ProgramTypeSet::all();

#define HELPER(id, name, sig, maj, min, allowed, gpl, ...)                                  \
  HelperInfo{id, "bpf_" #name, sig, {maj, min}, allowed, gpl, {__VA_ARGS__}},
using enum HelperArg;
const HelperInfo kHelpers[] = {
#include "ir/Helpers.def"
};
#undef HELPER

} // namespace

std::span<const HelperInfo> allHelpers() { return kHelpers; }

const HelperInfo *findHelper(uint32_t id) {
  for (const HelperInfo &h : kHelpers)
    if (h.id == id)
      return &h;
  return nullptr;
}

const HelperInfo *findHelper(std::string_view name) {
  for (const HelperInfo &h : kHelpers)
    if (h.name == name || h.name.substr(4) == name)
      return &h;
  return nullptr;
}

} // namespace ebpfc::ir
