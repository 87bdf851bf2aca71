// Shared by the interpreter tests: an environment whose helpers, map
// references, tail-call slots and map-value regions a test sets up, and
// shortcuts to assemble, load and run a program.
#pragma once

#include "runtime/asm/Assembler.h"
#include "runtime/vm/Engine.h"
#include "runtime/vm/Interpreter.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ebpfc::runtime::testing {

class FakeEnvironment : public ExecutionEnvironment {
public:
  void addHelper(uint32_t id, std::string name, HelperFunction function) {
    helpers_[id] = Helper{id, std::move(name), std::move(function)};
  }
  const Helper *findHelper(uint32_t id) const override {
    auto it = helpers_.find(id);
    return it == helpers_.end() ? nullptr : &it->second;
  }

  // ld_imm64 (source, imm) -> value.
  void setPseudoValue(uint8_t source, int32_t imm, uint64_t value) { pseudo_[{source, imm}] = value; }
  std::optional<uint64_t> resolvePseudoLoad(const PseudoLoad &load, std::string &error) const override {
    auto it = pseudo_.find({load.source, load.imm});
    if (it == pseudo_.end()) {
      error = "no such map";
      return std::nullopt;
    }
    return it->second + uint64_t(int64_t(load.nextImm));
  }

  // A prog array: its handle value and slots (nullptr = empty).
  void setProgArray(uint64_t handle, std::vector<const LoadedProgram *> slots) { progArrays_[handle] = std::move(slots); }
  TailCallSlot resolveTailCall(uint64_t progArray, uint64_t index) const override {
    auto it = progArrays_.find(progArray);
    if (it == progArrays_.end() || index >= it->second.size())
      return {};
    return {true, it->second[index]};
  }

  // Map values the program may reach through helpers or pseudo loads.
  void addMemoryRegion(const Region &region) { regions_.push_back(region); }
  bool findMemoryRegion(uint64_t address, uint64_t size, Region &region) const override {
    for (const Region &candidate : regions_)
      if (candidate.contains(address, size)) {
        region = candidate;
        return true;
      }
    return false;
  }

private:
  std::map<uint32_t, Helper> helpers_;
  std::map<std::pair<uint8_t, int32_t>, uint64_t> pseudo_;
  std::map<uint64_t, std::vector<const LoadedProgram *>> progArrays_;
  std::vector<Region> regions_;
};

// Assembles text of either dialect (detected), failing the test on errors.
inline std::vector<Insn> assembleText(std::string_view text) {
  AssembleOptions options;
  options.dialect = detectDialect(text);
  options.fileName = "test.s";
  AssembledProgram program = assemble(text, options);
  EXPECT_TRUE(program.ok()) << program.errorText();
  return program.insns;
}

inline ProgramImage imageOf(std::vector<Insn> insns, std::string name = "test") {
  ProgramImage image;
  image.name = std::move(name);
  image.insns = std::move(insns);
  return image;
}

// Loads a program, failing the test with the load error.
inline std::shared_ptr<const LoadedProgram> loadText(const Engine &engine, ExecutionEnvironment &environment,
                                                     std::string_view text, std::string name = "test") {
  std::string error;
  auto program = engine.load(imageOf(assembleText(text), std::move(name)), environment, error);
  EXPECT_TRUE(program) << error;
  return program;
}

// The load error for a program, "" when it loads.
inline std::string loadError(const Engine &engine, ExecutionEnvironment &environment, std::vector<Insn> insns) {
  std::string error;
  auto program = engine.load(imageOf(std::move(insns)), environment, error);
  return program ? "" : error;
}

// Runs with `memory` as r1/r2 (a Memory region), like the conformance suite.
inline RunResult runWithMemory(const Engine &engine, const LoadedProgram &program, std::vector<uint8_t> &memory,
                               uint64_t budget = 0) {
  const Region regions[] = {hostRegion(memory.data(), memory.size(), RegionKind::Memory, "input")};
  RunInput input;
  if (!memory.empty()) {
    input.args[0] = reinterpret_cast<uint64_t>(memory.data());
    input.args[1] = memory.size();
    input.regions = regions;
  }
  input.instructionBudget = budget;
  return engine.run(program, input);
}

// Assembles, loads and runs; r0 of a clean exit (the test fails otherwise).
inline uint64_t runText(std::string_view text, std::vector<uint8_t> memory = {}, EngineOptions options = {}) {
  Interpreter interpreter(options);
  FakeEnvironment environment;
  auto program = loadText(interpreter, environment, text);
  if (!program)
    return ~uint64_t(0);
  RunResult result = runWithMemory(interpreter, *program, memory);
  EXPECT_EQ(result.status, RunStatus::Exited) << (result.fault ? result.fault->describe() : "stopped");
  return result.returnValue;
}

} // namespace ebpfc::runtime::testing
