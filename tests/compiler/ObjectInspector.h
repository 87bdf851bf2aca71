// Reads the facts end-to-end tests check in an object: section names and
// the symbols of each section (through LLVM's ELF reader).
#pragma once

#include <map>
#include <set>
#include <string>

namespace ebpfc::testing {

struct ObjectFacts {
  bool valid = false;
  std::string error;
  std::set<std::string> sections;
  std::set<std::string> functions; // function symbols
  std::map<std::string, uint64_t> functionSlots; // instruction slots per function
};

ObjectFacts inspectObject(const std::string &bytes);

} // namespace ebpfc::testing
