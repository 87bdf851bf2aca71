// The bpf_conformance test-vector format and a runner for it over any
// engine: parse a .data file (`-- asm`, `-- raw`, `-- mem`, `-- result`),
// assemble, run with the suite's six helpers, compare r0.
#pragma once

#include "runtime/Insn.h"
#include "runtime/vm/Engine.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ebpfc::runtime {

struct ConformanceVector {
  std::string path;
  std::string asmText;       // the `-- asm` section ("" if none)
  unsigned asmFirstLine = 0; // its first line's number in the file
  std::optional<std::vector<Insn>> raw; // the `-- raw` section
  std::vector<uint8_t> memory;          // the `-- mem` section
  std::optional<uint64_t> expectedResult;
};

// false with `error` ("file:line: ...") when the file is not a valid vector.
bool parseConformanceVector(std::string_view text, const std::string &path, ConformanceVector &out,
                            std::string &error);

// The helpers the suite expects (see ../shared/conformance/README.md):
// 0 gather_bytes, 1 memfrob, 2 no_op, 3 sqrti, 4 strcmp, 5 unwind.
class ConformanceEnvironment final : public ExecutionEnvironment {
public:
  ConformanceEnvironment();
  const Helper *findHelper(uint32_t id) const override;

private:
  std::vector<Helper> helpers_;
};

struct ConformanceOutcome {
  std::string path;
  bool passed = false;
  std::optional<uint64_t> expected;
  std::optional<uint64_t> actual;
  std::string error; // why it could not run, or the fault report
};

ConformanceOutcome runConformanceVector(const ConformanceVector &vector, const Engine &engine);
// Reads, parses and runs one file.
ConformanceOutcome runConformanceFile(const std::filesystem::path &file, const Engine &engine);

// The .data files named: directories contribute their *.data files, sorted.
// false with `error` when a path does not exist.
bool collectConformanceFiles(std::span<const std::string> paths, std::vector<std::filesystem::path> &files,
                             std::string &error);

} // namespace ebpfc::runtime
