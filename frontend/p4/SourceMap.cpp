#include "frontend/p4/SourceMap.h"

#include <algorithm>

namespace ebpfc::p4 {

uint32_t SourceMap::fileIndex(const std::string &path) {
  auto it = std::find(files_.begin() + 1, files_.end(), path);
  if (it != files_.end())
    return static_cast<uint32_t>(it - files_.begin());
  files_.push_back(path);
  return static_cast<uint32_t>(files_.size() - 1);
}

const std::string &SourceMap::fileName(uint32_t index) const {
  return index < files_.size() ? files_[index] : files_[0];
}

void SourceMap::addOutputLine(uint32_t file, uint32_t line) { outputLines_.push_back({file, line}); }

Loc SourceMap::locate(size_t outputLine, size_t outputColumn) const {
  if (outputLine == 0 || outputLines_.empty())
    return {};
  // Past the end (the end-of-input token): the last line that has tokens.
  const Origin &origin = outputLines_[std::min(outputLine, outputLines_.size()) - 1];
  return {origin.file, origin.line, static_cast<uint32_t>(outputColumn)};
}

ir::SourceLocation SourceMap::toSourceLocation(Loc loc) const {
  if (!loc.valid())
    return {};
  return {fileName(loc.file), loc.line, loc.column};
}

} // namespace ebpfc::p4
