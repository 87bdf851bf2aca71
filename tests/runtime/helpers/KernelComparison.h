// Runs one small C program (tests/runtime/helpers/programs/NAME.c, compiled
// by clang-19) on a list of cases in the interpreter and, where bpf() is
// permitted, in the kernel through BPF_PROG_TEST_RUN, and reports every way
// the two runs of a case differ: return value, output packet, ctx_out
// fields, the contents of every listable map (programs store helper results
// there), ring buffer records, and trace lines when the kernel's can be
// captured.
#pragma once

#include "runtime/exec/PacketEngine.h"

#include <string>
#include <vector>

namespace ebpfc::runtime::testing {

struct ComparisonCase {
  std::string name;
  Bytes packet;
  ContextValues context;
  // Written before the run (e.g. a "params" array that steers the program).
  std::vector<MapContents> maps;
};

struct ComparedRun {
  std::string name;
  PacketResult vm;
  std::vector<MapContents> vmMaps;
  bool kernelRan = false;
  // Empty when ebpfvm's JIT and the kernel (where it ran) agree with the interpreter.
  std::vector<std::string> differences;
};

class KernelComparison {
public:
  // Compiles the program; `error` says why not.
  KernelComparison(const std::string &program, std::string &error);
  // Removes the object (and its directory once empty).
  ~KernelComparison();
  KernelComparison(const KernelComparison &) = delete;
  KernelComparison &operator=(const KernelComparison &) = delete;

  // Whether the kernel engine can run here; `reason` says why not.
  static bool kernelAvailable(std::string &reason);

  // Runs each case on fresh objects of both engines.
  std::vector<ComparedRun> run(const std::vector<ComparisonCase> &cases, std::string &error) const;

  const std::string &object() const { return object_; }

private:
  std::string object_;
};

// Contents of the map named `map`: the value of `key`, or empty.
Bytes valueOf(const std::vector<MapContents> &maps, const std::string &map, const Bytes &key);
// A u32 array key.
Bytes key32(uint32_t index);
// The little-endian signed 64-bit value at index `slot` of an array of s64.
int64_t result64(const std::vector<MapContents> &maps, const std::string &map, uint32_t slot);

// Hex digits to bytes (whitespace ignored), for packets written in tests.
Bytes hex(const std::string &text);

// A params entry: key 0 of array `map`, value `bytes`.
MapContents params(const std::string &map, Bytes bytes);

} // namespace ebpfc::runtime::testing
