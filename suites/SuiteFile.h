// The golden-suite file format, version 1 ("format": "ebpfc-suite/1"): one
// JSON file per program with the packets to run it on and what must come
// out. docs/testing.md describes the format for users; this is its model and
// its loader. Every error names the file, the line and the JSON pointer of
// the offending value.
#pragma once

#include "suites/BytePattern.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace ebpfc::suites {

inline constexpr const char *kSuiteFormat = "ebpfc-suite/1";

// Where a value was written: "port_filter.suite.json:42 (/cases/3/packet)".
struct Location {
  std::string file;
  unsigned line = 0;
  std::string pointer; // JSON pointer
  std::string toString() const;
};

struct MapEntrySpec {
  Bytes key;
  // Ordinary maps: `value`. Per-CPU maps: `cpuValues` (CPU number -> value);
  // initial contents leave the other CPUs zero, expectations check only the
  // CPUs listed. Engines run every case on CPU 0.
  std::optional<BytePattern> value;
  std::map<unsigned, BytePattern> cpuValues;
  bool absent = false; // expectations only: the key must not be in the map
  Location where;
};

// Entries of one map, by the name libbpf gives it: the variable name of a
// BTF-defined map, or ".data", ".bss", ".rodata" for global variables (key
// 00000000, value the whole section).
struct MapContents {
  std::string map;
  std::vector<MapEntrySpec> entries;
  Location where;
};

struct ContextValue {
  std::string field; // a name from ContextFields.h
  uint64_t value = 0;
  Location where;
};

struct RingBufferRecords {
  std::string map;
  std::vector<BytePattern> records;
  Location where;
};

struct Expectations {
  std::optional<uint32_t> returnValue; // required to check a case; --record fills it
  Location returnWhere;
  std::optional<BytePattern> packet;   // nullopt: the packet must leave unchanged
  Location packetWhere;
  std::vector<ContextValue> context;   // only the fields listed are checked
  std::vector<MapContents> maps;       // only the maps and keys listed are checked
  std::vector<std::string> trace;      // bpf_trace_printk lines; empty: none expected
  std::vector<RingBufferRecords> ringBuffers; // ring buffers not listed must stay empty
};

struct CaseSpec {
  std::string name;
  Bytes packet;
  Location packetWhere;
  std::vector<ContextValue> context; // set before the run
  std::vector<MapContents> maps;     // applied after the suite's own initial contents
  bool hasExpectations = false;      // the case has an "expect" object
  Expectations expect;
  Location where;
};

struct ProgramSpec {
  // Exactly one of: a C (or P4) source compiled with `flags`, or an object.
  std::filesystem::path source; // resolved against the suite's directory
  std::vector<std::string> flags;
  std::filesystem::path object;
  std::string entry; // program (function) name or section; "" when the object has one program
  Location where;
};

struct Suite {
  std::filesystem::path path;
  std::string comment;
  ProgramSpec program;
  std::vector<MapContents> maps; // initial contents for every case
  std::vector<CaseSpec> cases;
};

struct SuiteError {
  Location where;
  std::string message;
  // "file:line: error: /cases/3/packet: 'g' is not a hex digit"
  std::string toString() const;
};

std::variant<Suite, SuiteError> loadSuite(const std::filesystem::path &path);

} // namespace ebpfc::suites
