// Internal to runtime/helpers: argument checks shared by the helper families
// and the functions that register each family.
#pragma once

#include "runtime/context/SkbContext.h"
#include "runtime/context/XdpContext.h"
#include "runtime/helpers/HelperContext.h"
#include "runtime/helpers/HelperRegistry.h"
#include "runtime/maps/Map.h"

#include <cstdint>
#include <string>

namespace ebpfc::runtime::helpers {

// A negative errno as the 64-bit r0 helpers return.
inline uint64_t error(long negativeErrno) { return uint64_t(int64_t(negativeErrno)); }

// The map passed as argument `index`, or nullptr after faulting the call.
Map *mapArgument(HelperCall &call, unsigned index);

// The run's packet context when argument `index` is its address and it is
// of the wanted kind; nullptr after faulting the call otherwise.
XdpContext *xdpArgument(HelperCall &call, HelperContext &run, unsigned index);
SkbContext *skbArgument(HelperCall &call, HelperContext &run, unsigned index);
// The program's type (of the program running now: tail calls change it).
ir::ProgramType programType(HelperCall &call);

// After a helper moved or resized the packet: the program's packet region
// follows.
void packetChanged(HelperCall &call, HelperContext &run);

// The NUL-terminated string at `address`, read without faulting and cut
// after `limit` bytes; nullopt when unreadable.
std::optional<std::string> probeString(HelperCall &call, uint64_t address, size_t limit);

void addMapHelpers(HelperRegistry &registry);
void addPacketHelpers(HelperRegistry &registry);
void addChecksumHelpers(HelperRegistry &registry);
void addOutputHelpers(HelperRegistry &registry);
void addRedirectHelpers(HelperRegistry &registry);
void addMiscHelpers(HelperRegistry &registry);

} // namespace ebpfc::runtime::helpers
