#include "runtime/vm/Engine.h"

#include "runtime/vm/Interpreter.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace ebpfc::runtime {

std::string_view regionKindName(RegionKind kind) {
  switch (kind) {
  case RegionKind::Stack: return "stack";
  case RegionKind::Context: return "context";
  case RegionKind::Packet: return "packet";
  case RegionKind::MapValue: return "map value";
  case RegionKind::ReadOnlyData: return "read-only map value";
  case RegionKind::Memory: return "memory";
  }
  return "memory";
}

std::string_view faultKindName(FaultKind kind) {
  switch (kind) {
  case FaultKind::MemoryAccess: return "invalid memory access";
  case FaultKind::ReadOnlyWrite: return "write to read-only memory";
  case FaultKind::ContextAccess: return "invalid context access";
  case FaultKind::CallDepth: return "call depth exceeded";
  case FaultKind::InstructionBudget: return "instruction budget exhausted";
  case FaultKind::BadCallTarget: return "bad call target";
  case FaultKind::Helper: return "helper fault";
  case FaultKind::EngineMismatch: return "engine mismatch";
  }
  return "fault";
}

std::string Fault::describe() const {
  std::string text = fmt::format("{}: {}\n", faultKindName(kind), message);
  if (!instruction.empty())
    text += fmt::format("  at instruction {} of '{}': {}\n", insn, program, instruction);
  if (access && !nearestRegion.empty())
    text += fmt::format("  address {:#x}: {}\n", access->address, nearestRegion);
  if (source) {
    text += fmt::format("  source: {}:{}", source->file, source->line);
    if (source->column)
      text += fmt::format(":{}", source->column);
    if (!source->text.empty())
      text += ": " + source->text;
    text += '\n';
  }
  if (!callStack.empty()) {
    text += "  called from instruction";
    for (auto it = callStack.rbegin(); it != callStack.rend(); ++it)
      text += fmt::format(" {}", *it);
    text += '\n';
  }
  if (!instruction.empty()) {
    text += "  registers:";
    for (unsigned r = 0; r < registers.size(); ++r)
      text += fmt::format(" r{}={:#x}", r, registers[r]);
    text += '\n';
  }
  return text;
}

const LineInfo *LoadedProgram::lineOf(uint32_t insn) const {
  // Line info marks where each source line's code starts: the line of an
  // instruction is the last entry at or before it, within its function
  // (the loader's ProgramImage::lineFor rule; images built without
  // functions, like the conformance suite's, count as one function).
  const std::vector<LineInfo> &lines = image_.lines;
  auto it = std::upper_bound(lines.begin(), lines.end(), insn,
                             [](uint32_t index, const LineInfo &line) { return index < line.insn; });
  if (it == lines.begin())
    return nullptr;
  const LineInfo &line = *std::prev(it);
  const std::vector<FunctionInfo> &functions = image_.functions;
  auto function = std::upper_bound(functions.begin(), functions.end(), insn,
                                   [](uint32_t index, const FunctionInfo &f) { return index < f.insn; });
  if (function != functions.begin() && line.insn < std::prev(function)->insn)
    return nullptr;
  return &line;
}

std::optional<uint64_t> ExecutionEnvironment::resolvePseudoLoad(const PseudoLoad &load, std::string &error) const {
  error = fmt::format("ld_imm64 pseudo source {} (a map reference) has no map to refer to in this environment",
                      load.source);
  return std::nullopt;
}

ExecutionEnvironment::TailCallSlot ExecutionEnvironment::resolveTailCall(uint64_t, uint64_t) const { return {}; }

bool ExecutionEnvironment::findMemoryRegion(uint64_t, uint64_t, Region &) const { return false; }

namespace {

struct EngineRegistry {
  std::vector<std::string_view> names;
  std::vector<EngineFactory> factories;
};

std::unique_ptr<Engine> createInterpreter(const EngineOptions &options) { return std::make_unique<Interpreter>(options); }

// Built on first use, so that registrations from other libraries' static
// initializers find it whatever the initialization order.
EngineRegistry &registry() {
  static EngineRegistry engines{{"interp"}, {createInterpreter}};
  return engines;
}

} // namespace

std::span<const std::string_view> engineNames() { return registry().names; }

bool registerEngine(std::string_view name, EngineFactory factory) {
  EngineRegistry &engines = registry();
  if (std::find(engines.names.begin(), engines.names.end(), name) != engines.names.end())
    return false;
  engines.names.push_back(name);
  engines.factories.push_back(factory);
  return true;
}

std::unique_ptr<Engine> createEngine(std::string_view name, const EngineOptions &options, std::string &error) {
  const EngineRegistry &engines = registry();
  for (size_t i = 0; i < engines.names.size(); ++i)
    if (engines.names[i] == name)
      return engines.factories[i](options);
  error = fmt::format("unknown engine '{}' (known: {})", name, fmt::join(engines.names, ", "));
  return nullptr;
}

} // namespace ebpfc::runtime
