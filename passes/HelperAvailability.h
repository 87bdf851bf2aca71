// helper-availability: runs after "optimize" and checks every helper call a
// program can reach (its own code and every function it calls, BPF-to-BPF or
// as a callback such as bpf_loop's) against the helper table: the helper id
// must exist, the program type must be allowed to call it, the target kernel
// must have it, and a GPL-only helper needs a GPL-compatible license. Each
// finding is an error at the call's source line.
//
// Helper calls are calls through a constant address, `inttoptr (i64 ID to
// ptr)`, which is how libbpf's bpf_helper_defs.h declares helpers.
#pragma once

#include "passes/Pass.h"

#include <optional>
#include <string_view>

namespace llvm {
class CallBase;
}

namespace ebpfc::passes {

class HelperAvailabilityPass : public Pass {
public:
  std::string_view name() const override { return "helper-availability"; }
  std::string_view summary() const override {
    return "reports helper calls a program's type may not make or the target kernel lacks";
  }
  bool run(ir::Module &module, PassContext &context) override;
};

// The helper id a call goes to, or nullopt for any other call.
std::optional<uint64_t> helperIdOf(const llvm::CallBase &call);

// Whether the kernel treats the license as GPL-compatible (its
// license_is_gpl_compatible list).
bool isGplCompatibleLicense(std::string_view license);

} // namespace ebpfc::passes
