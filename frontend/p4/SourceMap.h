// Where each piece of the preprocessed P4 text came from. The preprocessor
// writes one output line per source line that has tokens, with every token
// at its source column (tokens of a macro expansion start at the macro's
// use), so a position in the output maps back to a file, line and column.
#pragma once

#include "ir/Diagnostics.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ebpfc::p4 {

// A position in a source file: `file` indexes SourceMap's files (0: none).
struct Loc {
  uint32_t file = 0;
  uint32_t line = 0;   // 1-based
  uint32_t column = 0; // 1-based
  bool valid() const { return line != 0; }
};

class SourceMap {
public:
  // Index of a file, as diagnostics name it; added on first use.
  uint32_t fileIndex(const std::string &path);
  const std::string &fileName(uint32_t index) const;

  // The next output line holds tokens of `file`:`line`.
  void addOutputLine(uint32_t file, uint32_t line);
  // The source position of a 1-based line and column of the output.
  Loc locate(size_t outputLine, size_t outputColumn) const;

  ir::SourceLocation toSourceLocation(Loc loc) const;

private:
  struct Origin {
    uint32_t file;
    uint32_t line;
  };
  std::vector<std::string> files_{""};
  std::vector<Origin> outputLines_;
};

} // namespace ebpfc::p4
