#include "driver/Depfile.h"

namespace ebpfc::driver {

namespace {
// Escapes a path for a Make rule (spaces, '#', '$'), as gcc and clang do.
std::string escapePath(const std::string &path) {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    char c = path[i];
    if (c == ' ') {
      for (size_t j = i; j > 0 && path[j - 1] == '\\'; --j)
        out += '\\';
      out += '\\';
    } else if (c == '#') {
      out += '\\';
    } else if (c == '$') {
      out += '$';
    }
    out += c;
  }
  return out;
}
} // namespace

std::string defaultDepfilePath(const std::string &outputPath) {
  size_t slash = outputPath.rfind('/');
  size_t dot = outputPath.rfind('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash))
    return outputPath + ".d";
  return outputPath.substr(0, dot) + ".d";
}

std::string formatDepfile(const DepfileOptions &options, const std::string &outputPath,
                          const std::vector<std::string> &dependencies) {
  std::string out;
  if (options.targets.empty()) {
    out = escapePath(outputPath);
  } else {
    for (size_t i = 0; i < options.targets.size(); ++i)
      out += (i ? " " : "") + options.targets[i];
  }
  out += ":";
  size_t column = out.size();
  for (const std::string &dep : dependencies) {
    std::string escaped = escapePath(dep);
    if (column + escaped.size() + 1 > 78) {
      out += " \\\n ";
      column = 1;
    }
    out += " " + escaped;
    column += escaped.size() + 1;
  }
  out += "\n";
  if (options.phonyTargets)
    for (size_t i = 1; i < dependencies.size(); ++i)
      out += "\n" + escapePath(dependencies[i]) + ":\n";
  return out;
}

} // namespace ebpfc::driver
