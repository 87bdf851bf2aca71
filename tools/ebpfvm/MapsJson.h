// The JSON files of `ebpfvm run` (docs/ebpfvm.md):
//  - map contents (--maps in, --dump-maps out), the shape of the golden
//    suites' "maps": {"NAME": [{"key": HEX, "value": HEX}, ...]}, per-CPU
//    maps with "cpus": {"0": HEX, ...} instead of "value";
//  - routing tables for bpf_fib_lookup (--fib): {"routes": [...]}.
// Errors name the file, the line and the JSON pointer of the value.
#pragma once

#include "runtime/exec/PacketEngine.h"
#include "runtime/helpers/FibTable.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ebpfc::ebpfvm {

bool parseMapContents(const std::string &path, const std::string &text, std::vector<runtime::MapContents> &maps,
                      std::string &error);

// {"NAME": [entries...], ...} for the maps given, in that order; entries of
// per-CPU maps (as `summaries` say) with "cpus".
nlohmann::ordered_json mapContentsJson(const std::vector<runtime::MapContents> &maps,
                                       const std::vector<runtime::MapSummary> &summaries);

bool parseFibTable(const std::string &path, const std::string &text, runtime::FibTable &table, std::string &error);

} // namespace ebpfc::ebpfvm
