// Reads the facts end-to-end tests check in an object: section names and
// the symbols of each section (through LLVM's ELF reader).
#pragma once

#include <set>
#include <string>

namespace ebpfc::testing {

struct ObjectFacts {
  bool valid = false;
  std::string error;
  std::set<std::string> sections;
  std::set<std::string> functions; // function symbols
};

ObjectFacts inspectObject(const std::string &bytes);

} // namespace ebpfc::testing
