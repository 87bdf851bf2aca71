// Time, randomness, the CPU, and bpf_loop.
#include "runtime/helpers/HelperSupport.h"

#include <cerrno>

namespace ebpfc::runtime::helpers {

namespace {

constexpr uint64_t kMaxLoops = 1u << 23; // BPF_MAX_LOOPS
// jiffies at HZ=250 (Debian's kernel configuration), from the run's clock.
constexpr uint64_t kNanosecondsPerJiffy = 4'000'000;

// Every clock reads the run's virtual time: the monotonic, boot, coarse and
// TAI clocks of a machine that never suspends and whose clocks agree.
uint64_t clockNs(HelperCall &call) {
  HelperContext *run = HelperContext::from(call);
  return run ? run->timeNs : 0;
}

uint64_t jiffies(HelperCall &call) {
  HelperContext *run = HelperContext::from(call);
  return run ? run->timeNs / kNanosecondsPerJiffy : 0;
}

uint64_t randomU32(HelperCall &call) {
  HelperContext *run = HelperContext::from(call);
  if (!run)
    return 0;
  if (!run->random) {
    call.fault("the run has no random generator");
    return 0;
  }
  return uint32_t((*run->random)());
}

uint64_t processorId(HelperCall &call) {
  HelperContext *run = HelperContext::from(call);
  return run ? run->cpu : 0;
}

uint64_t numaNode(HelperCall &) { return 0; }

// bpf_loop(nr, callback, ctx, flags): callback(i, ctx) for i < nr until it
// returns nonzero; returns the number of calls made.
uint64_t loop(HelperCall &call) {
  const uint64_t count = uint32_t(call.arg(1));
  if (call.arg(4) != 0)
    return error(-EINVAL);
  if (count > kMaxLoops)
    return error(-E2BIG);
  for (uint64_t i = 0; i < count; ++i) {
    const uint64_t args[] = {i, call.arg(3)};
    const std::optional<uint64_t> result = call.callFunction(call.arg(2), args);
    if (!result)
      return 0; // the callback faulted or stopped the run
    if (*result != 0)
      return i + 1;
  }
  return count;
}

} // namespace

void addMiscHelpers(HelperRegistry &registry) {
  registry.add(5, "", clockNs);
  registry.add(125, "", clockNs);
  registry.add(160, "", clockNs);
  registry.add(208, "", clockNs);
  registry.add(118, "", jiffies);
  registry.add(7, "", randomU32);
  registry.add(8, "", processorId);
  registry.add(42, "", numaNode);
  registry.add(181, "", loop);
}

} // namespace ebpfc::runtime::helpers
