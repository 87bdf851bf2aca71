#include "runtime/vm/InterpreterState.h"

#include "runtime/asm/Disassembler.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace ebpfc::runtime::interp {

namespace {

// Addresses this low are never mapped: an access there is a null pointer
// plus a field offset, typically a map lookup result used unchecked.
constexpr uint64_t kNullPage = 4096;

std::string regionLabel(const Region &region) {
  const std::string_view kind = regionKindName(region.kind);
  if (region.name.empty() || region.name == kind)
    return std::string(kind);
  return fmt::format("{} '{}'", kind, region.name);
}

// "read-only context", "read-only map value '.rodata'" (whose kind says it already).
std::string readOnlyLabel(const Region &region) {
  const std::string label = regionLabel(region);
  return label.starts_with("read-only") ? label : "read-only " + label;
}

std::string accessText(uint64_t address, uint64_t size, bool write) {
  return fmt::format("{} of {} byte{} at {:#x}", write ? "write" : "read", size, size == 1 ? "" : "s", address);
}

} // namespace

bool InterpretedProgram::isFunctionEntry(uint64_t slot) const {
  return std::binary_search(functionEntries.begin(), functionEntries.end(), slot);
}

RunState::RunState(const EngineOptions &engineOptions, const RunInput &runInput, uint8_t *stack)
    : input(runInput), options(engineOptions) {
  const uint64_t allowed = input.instructionBudget ? input.instructionBudget : options.instructionBudget;
  budgetTotal = std::min<uint64_t>(allowed, uint64_t(INT64_MAX) / sizeof(MicroOp));
  budget = int64_t(budgetTotal * sizeof(MicroOp));
  stackBottom_ = reinterpret_cast<uint64_t>(stack);
  stackTop_ = stackBottom_ + uint64_t(kStackFrameSize) * kMaxCallFrames;
  regions_ = input.regions;
  cache_[0] = {stackBottom_, stackTop_ - stackBottom_, true};
  invalidateCache();
  enterFrame();
}

void RunState::limitStackToLiveFrames(bool zeroNewFrame) {
  const uint64_t frameBottom = framePointer(depth) - kStackFrameSize;
  if (zeroNewFrame)
    std::memset(reinterpret_cast<void *>(frameBottom), 0, kStackFrameSize);
  cache_[0] = {frameBottom, stackTop_ - frameBottom, true};
}

Region RunState::stackRegion() const {
  Region stack;
  stack.begin = cache_[0].begin;
  stack.size = cache_[0].size;
  stack.kind = RegionKind::Stack;
  stack.name = "stack";
  return stack;
}

void RunState::invalidateCache() {
  for (unsigned i = 1; i < kCacheSize; ++i) {
    cache_[i].begin = 0;
    cache_[i].size = 0; // matches no address
    cache_[i].writable = false;
  }
}

void RunState::remember(const Region &region) {
  if (region.accessor || region.kind == RegionKind::Stack)
    return;
  cache_[nextCacheSlot_] = {region.begin, region.size, region.writable};
  nextCacheSlot_ = nextCacheSlot_ + 1 == kCacheSize ? 1 : nextCacheSlot_ + 1;
}

void RunState::fail(FaultKind kind, uint64_t address, uint64_t size, bool write, std::string message) {
  failure_.kind = kind;
  failure_.access = {address, uint32_t(size), write};
  failure_.message = std::move(message);
}

bool RunState::lookup(uint64_t address, uint64_t size, bool write, Region &found) {
  // Formatted only on the failure paths: lookups of context fields are hot.
  const auto access = [&] { return accessText(address, size, write); };
  // The stack: the live frames (checked mode) or all of it.
  const Region stack = stackRegion();
  if (stack.contains(address, size)) {
    found = stack;
    return true;
  }
  const bool touchesStack = address < stackTop_ && (address >= stackBottom_ || stackBottom_ - address < size);
  if (touchesStack) {
    const uint64_t fp = framePointer(depth);
    fail(FaultKind::MemoryAccess, address, size, write,
         fmt::format("{} at r10{:+} is outside the stack frame [r10-{}, r10) and its callers' frames", access(),
                     int64_t(address - fp), kStackFrameSize));
    return false;
  }
  for (const Region &region : regions()) {
    if (!region.contains(address, size))
      continue;
    if (write && !region.writable) {
      fail(FaultKind::ReadOnlyWrite, address, size, write, fmt::format("{} into {}", access(), readOnlyLabel(region)));
      return false;
    }
    found = region;
    return true;
  }
  if (environment && environment->findMemoryRegion(address, size, found) && found.contains(address, size)) {
    // Kept for fault reports: this or a later bad access may be near this value.
    if (discovered_.size() < 64)
      discovered_.push_back(found);
    if (write && !found.writable) {
      fail(FaultKind::ReadOnlyWrite, address, size, write, fmt::format("{} into {}", access(), readOnlyLabel(found)));
      return false;
    }
    return true;
  }
  // An access that starts inside a map value but runs past it: keep the
  // value so that the report can say so.
  Region around;
  if (environment && discovered_.size() < 64 && environment->findMemoryRegion(address, 1, around))
    discovered_.push_back(around);
  if (address < kNullPage)
    fail(FaultKind::MemoryAccess, address, size, write, access() + ": null pointer dereference");
  else
    fail(FaultKind::MemoryAccess, address, size, write, access() + " is outside the memory the program may access");
  return false;
}

bool RunState::loadSlow(uint64_t address, unsigned size, uint64_t &value) {
  Region region;
  if (!lookup(address, size, false, region))
    return false;
  if (region.accessor) {
    if (!region.accessor->load(address - region.begin, size, value)) {
      fail(FaultKind::ContextAccess, address, size, false,
           fmt::format("{} has no {}-byte field at offset {} to read", regionLabel(region), size,
                       address - region.begin));
      return false;
    }
    return true;
  }
  remember(region);
  value = 0;
  std::memcpy(&value, reinterpret_cast<const void *>(address), size);
  return true;
}

bool RunState::storeSlow(uint64_t address, unsigned size, uint64_t value) {
  Region region;
  if (!lookup(address, size, true, region))
    return false;
  if (region.accessor) {
    if (!region.accessor->store(address - region.begin, size, value)) {
      fail(FaultKind::ContextAccess, address, size, true,
           fmt::format("{} has no writable {}-byte field at offset {}", regionLabel(region), size,
                       address - region.begin));
      return false;
    }
    return true;
  }
  remember(region);
  std::memcpy(reinterpret_cast<void *>(address), &value, size);
  return true;
}

uint8_t *RunState::pointerSlow(uint64_t address, uint64_t size, bool write) {
  Region region;
  if (!lookup(address, size, write, region))
    return nullptr;
  if (region.accessor) {
    fail(FaultKind::ContextAccess, address, size, write,
         fmt::format("{} at offset {}: {} can only be accessed by loads and stores", accessText(address, size, write),
                     address - region.begin, regionLabel(region)));
    return nullptr;
  }
  remember(region);
  return reinterpret_cast<uint8_t *>(address);
}

void RunState::addRegion(const Region &region) {
  if (!ownsRegions_) {
    ownedRegions_.assign(regions_.begin(), regions_.end());
    ownsRegions_ = true;
  }
  ownedRegions_.push_back(region);
  invalidateCache();
}

bool RunState::replaceRegion(const Region &region) {
  for (size_t i = 0; i < regions().size(); ++i) {
    if (regions()[i].kind != region.kind)
      continue;
    if (!ownsRegions_) {
      ownedRegions_.assign(regions_.begin(), regions_.end());
      ownsRegions_ = true;
    }
    ownedRegions_[i] = region;
    invalidateCache();
    return true;
  }
  return false;
}

bool RunState::removeRegion(uint64_t begin) {
  for (size_t i = 0; i < regions().size(); ++i) {
    if (regions()[i].begin != begin)
      continue;
    if (!ownsRegions_) {
      ownedRegions_.assign(regions_.begin(), regions_.end());
      ownsRegions_ = true;
    }
    ownedRegions_.erase(ownedRegions_.begin() + ptrdiff_t(i));
    invalidateCache();
    return true;
  }
  return false;
}

const Region *RunState::findRegionOfKind(RegionKind kind) const {
  for (const Region &region : regions())
    if (region.kind == kind)
      return &region;
  return nullptr;
}

std::string RunState::describeNeighborhood(uint64_t address, uint64_t size) const {
  // The region whose bounds the access misses by the fewest bytes.
  const Region *best = nullptr;
  uint64_t bestDistance = UINT64_MAX;
  Region stack = stackRegion();
  auto consider = [&](const Region &region) {
    if (region.size == 0)
      return;
    uint64_t distance;
    if (address < region.begin)
      distance = region.begin - address;
    else if (address >= region.end())
      distance = address - region.end() + 1;
    else
      distance = 0; // starts inside, runs past the end (or is refused for another reason)
    if (distance < bestDistance) {
      bestDistance = distance;
      best = &region;
    }
  };
  consider(stack);
  for (const Region &region : regions())
    consider(region);
  for (const Region &region : discovered_)
    consider(region);
  if (!best || bestDistance > (uint64_t(1) << 20))
    return "";

  const Region &region = *best;
  const std::string bounds = fmt::format("{} [{:#x}, {:#x}) ({} bytes)", regionLabel(region), region.begin,
                                         region.end(), region.size);
  if (region.kind == RegionKind::Stack) {
    const uint64_t fp = framePointer(depth);
    return fmt::format("at r10{:+}; the live stack is [r10-{}, {:#x})", int64_t(address - fp), kStackFrameSize,
                       stackTop_);
  }
  if (address < region.begin)
    return fmt::format("{} bytes before the start of {}", region.begin - address, bounds);
  if (address >= region.end())
    return fmt::format("{} bytes past the end of {}", address - region.end(), bounds);
  if (address + size > region.end())
    return fmt::format("starts at offset {} of {} and runs {} bytes past its end", address - region.begin, bounds,
                       address + size - region.end());
  return fmt::format("at offset {} of {}", address - region.begin, bounds);
}

void RunState::raise(FaultKind kind, std::string message, const LoadedProgram &program, uint32_t insn,
                     const uint64_t *registers, std::optional<MemoryAccess> access) {
  if (fault)
    return;
  Fault f;
  f.kind = kind;
  f.message = std::move(message);
  f.program = program.image().name;
  f.insn = insn;
  f.instruction = disassembleInsn(program.image().insns, f.insn, AsmDialect::Llvm);
  if (access) {
    f.access = access;
    f.nearestRegion = describeNeighborhood(access->address, access->size);
  }
  if (const LineInfo *line = program.lineOf(f.insn))
    f.source = *line;
  std::copy(registers, registers + kNumRegisters, f.registers.begin());
  for (unsigned d = 1; d < depth; ++d)
    f.callStack.push_back(frames[d].callSite);
  fault = std::make_shared<Fault>(std::move(f));
  outcome = RunStatus::Faulted;
}

} // namespace ebpfc::runtime::interp
