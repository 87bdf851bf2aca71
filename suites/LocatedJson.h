// JSON parsed with the source line of every value, so that errors about a
// suite file can name the line (nlohmann_json itself keeps no positions).
// Objects keep their key order, so a file written back reads the same.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <unordered_map>

namespace ebpfc::suites {

using Json = nlohmann::ordered_json;

struct LocatedJson {
  Json root;
  // JSON pointer ("/cases/2/packet") -> 1-based line of the value (for a
  // container, of its opening bracket).
  std::unordered_map<std::string, unsigned> lines;

  unsigned lineOf(const std::string &pointer) const;
};

struct JsonSyntaxError {
  unsigned line = 0;
  unsigned column = 0;
  std::string message;
};

// Parses `text`; on a syntax error (including a duplicate key) fills
// `error` and returns nullopt.
std::optional<LocatedJson> parseLocatedJson(const std::string &text, JsonSyntaxError &error);

// "/cases" + 2 -> "/cases/2"; keys are escaped as JSON pointers require.
std::string childPointer(const std::string &parent, const std::string &key);
std::string childPointer(const std::string &parent, size_t index);

} // namespace ebpfc::suites
