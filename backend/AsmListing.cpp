#include "backend/AsmListing.h"

#include <map>
#include <sstream>
#include <string_view>

namespace ebpfc::backend {

namespace {

// `.file 0 "/dir" "name.c" md5 0x...` (DWARF 5) or `.file 1 "name.c"`.
bool parseFileDirective(std::string_view line, unsigned &number, std::string &path) {
  std::istringstream in{std::string(line)};
  std::string directive;
  in >> directive;
  if (directive != ".file" || !(in >> number))
    return false;
  auto quoted = [&](std::string &out) {
    in >> std::ws;
    if (in.peek() != '"')
      return false;
    in.get();
    std::getline(in, out, '"');
    return true;
  };
  std::string first, second;
  if (!quoted(first))
    return false;
  path = quoted(second) ? (second.starts_with("/") ? second : first + "/" + second) : first;
  return true;
}

std::string_view trimmed(std::string_view s) {
  size_t begin = s.find_first_not_of(" \t");
  if (begin == std::string_view::npos)
    return {};
  size_t end = s.find_last_not_of(" \t\r");
  return s.substr(begin, end - begin + 1);
}

} // namespace

std::string annotateWithSource(const std::string &assembly, ir::DiagnosticEngine &diags) {
  std::map<unsigned, std::string> files;
  std::istringstream in(assembly);
  std::string out;
  out.reserve(assembly.size() * 5 / 4);
  unsigned lastFile = ~0u, lastLine = 0;
  for (std::string line; std::getline(in, line);) {
    out += line;
    out += '\n';
    std::string_view body = trimmed(line);
    unsigned number;
    std::string path;
    if (parseFileDirective(body, number, path)) {
      files[number] = path;
      continue;
    }
    if (!body.starts_with(".loc"))
      continue;
    std::istringstream loc{std::string(body.substr(4))};
    unsigned file = 0, lineNumber = 0;
    if (!(loc >> file >> lineNumber) || lineNumber == 0 || (file == lastFile && lineNumber == lastLine))
      continue;
    lastFile = file;
    lastLine = lineNumber;
    auto it = files.find(file);
    if (it == files.end())
      continue;
    std::string_view text = trimmed(diags.lineOf(it->second, lineNumber));
    if (!text.empty())
      out += "\t# " + std::to_string(lineNumber) + " | " + std::string(text) + "\n";
  }
  return out;
}

} // namespace ebpfc::backend
