// STF, the packet test format of p4c's test suites: one statement per line,
// run in order against one loaded program whose tables keep what earlier
// statements installed.
//
//   # a comment (anywhere; to the end of the line)
//   add TABLE [PRIORITY] KEY:VALUE[/PREFIX]... ACTION(PARAM:VALUE, ...) [= NAME]
//   setdefault TABLE ACTION(PARAM:VALUE, ...)
//   packet PORT HEX...
//   expect PORT [HEX-OR-*...] [$]
//   wait
//
// Keywords are case-insensitive. Numbers are decimal, 0x hex or 0b binary.
// Packet data is hex digits, grouped by whitespace as the writer likes;
// expected data may use `*` for a nibble that does not matter, is a prefix
// of the packet unless it ends in `$`, and `expect PORT` with no data leaves
// that port unchecked. docs/testing.md describes the semantics for users;
// this is the model and the parser. Every error names the file and line.
#pragma once

#include "suites/BytePattern.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace ebpfc::suites {

// An unsigned number of any width, as written in the file.
struct StfNumber {
  std::string text;  // "0x0a000001"
  Bytes littleEndian; // the value, least significant byte first, no high zero bytes
  // The smallest number of bits that holds the value (0 for zero).
  unsigned bits() const;
};

struct StfKeyField {
  std::string name; // as written, "key.field0"
  StfNumber value;
  std::optional<uint32_t> prefixLength; // "/24"
};

struct StfActionArgument {
  std::string name;
  StfNumber value;
};

struct StfActionCall {
  std::string name; // as written, "pipe.Reject" or "_NoAction"
  std::vector<StfActionArgument> arguments;
};

struct StfPacket {
  unsigned line = 0;
  uint32_t port = 0;
  Bytes data;
  // The digits of each whitespace-separated group as written, so that a
  // rewritten expectation can be laid out like its input.
  std::vector<size_t> groupDigits;
};

struct StfExpect {
  unsigned line = 0;
  uint32_t port = 0;
  // nullopt: `expect PORT` alone, any packets on the port.
  std::optional<BytePattern> data;
  bool exactLength = false; // ended in `$`
};

// The priority and a trailing "= NAME" (p4c names entries for
// check_counter) are accepted and have no effect: eBPF tables have neither.
struct StfTableAdd {
  unsigned line = 0;
  std::string table;
  std::vector<StfKeyField> key;
  StfActionCall action;
};

struct StfSetDefault {
  unsigned line = 0;
  std::string table;
  StfActionCall action;
};

using StfStatement = std::variant<StfPacket, StfExpect, StfTableAdd, StfSetDefault>;

struct StfScript {
  std::filesystem::path path;
  std::vector<StfStatement> statements; // in file order (`wait` leaves none)
};

struct StfError {
  std::string file;
  unsigned line = 0;
  std::string message;
  // "prog.stf:12: error: message" (no line for file-level errors)
  std::string toString() const;
};

// Parses STF text; `path` names the file in errors.
std::variant<StfScript, StfError> parseStf(const std::string &text, const std::filesystem::path &path);
std::variant<StfScript, StfError> loadStf(const std::filesystem::path &path);

unsigned lineOf(const StfStatement &statement);

} // namespace ebpfc::suites
