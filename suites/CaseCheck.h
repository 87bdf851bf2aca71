// What an engine observed when it ran one case, and how that is judged:
// against the case's expectations (golden test) or against another engine's
// or compiler's result (differential test).
#pragma once

#include "suites/BytePattern.h"
#include "suites/ContextFields.h"
#include "suites/SuiteFile.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ebpfc::suites {

struct MapEntryState {
  Bytes key;
  std::vector<Bytes> values; // one, or one per CPU for per-CPU maps
  bool operator==(const MapEntryState &) const = default;
};

struct MapState {
  bool perCpu = false;
  std::vector<MapEntryState> entries;
  const MapEntryState *find(const Bytes &key) const;
  bool operator==(const MapState &) const = default;
};

struct CaseResult {
  ContextKind contextKind = ContextKind::Xdp; // for naming return values
  uint32_t returnValue = 0;
  Bytes packet;
  std::map<std::string, uint64_t> context; // every field of ContextFields.h for the kind
  // Maps that can be listed (not ring buffers or program arrays), by the
  // names suites use; global data by section name (".bss").
  std::map<std::string, MapState> mapsBefore; // after initial contents, before the run
  std::map<std::string, MapState> mapsAfter;
  std::optional<std::vector<std::string>> trace; // nullopt: the engine cannot capture it
  std::map<std::string, std::vector<Bytes>> ringBuffers; // records per ring buffer map
};

// Every way `result` differs from the case's expectations, one sentence
// each; empty when the case passes. A case without "expect" fails with a
// hint to record it.
std::vector<std::string> checkCase(const CaseSpec &spec, const Bytes &inputPacket, const CaseResult &result);

// Every observable difference between two results of the same case (return
// value, packet, context, maps after the run, trace, ring buffers), naming
// the two sides with `left` and `right`.
std::vector<std::string> describeDifferences(const CaseResult &leftResult, const CaseResult &rightResult,
                                             const std::string &left, const std::string &right);

// "expected 45 00 00 54, got 45 00 00 55 (first difference at byte 3 of 4)"
std::string describePacketMismatch(const BytePattern &expected, const Bytes &actual);

} // namespace ebpfc::suites
