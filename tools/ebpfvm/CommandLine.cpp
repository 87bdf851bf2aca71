#include "tools/ebpfvm/CommandLine.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace ebpfc::ebpfvm {

CommandLine::CommandLine(std::span<const std::string> args, std::vector<std::string> valueOptions,
                         std::vector<std::string> flagOptions) {
  auto isValueOption = [&](const std::string &name) {
    return std::find(valueOptions.begin(), valueOptions.end(), name) != valueOptions.end();
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &arg = args[i];
    if (arg.size() < 2 || arg[0] != '-') {
      positional_.push_back(arg);
      continue;
    }
    const size_t equals = arg.find('=');
    const std::string name = arg.substr(0, equals);
    if (isValueOption(name)) {
      if (equals != std::string::npos) {
        values_.emplace_back(name, arg.substr(equals + 1));
      } else if (i + 1 < args.size()) {
        values_.emplace_back(name, args[++i]);
      } else {
        error_ = "option " + name + " needs a value";
        return;
      }
    } else if (equals == std::string::npos &&
               std::find(flagOptions.begin(), flagOptions.end(), name) != flagOptions.end()) {
      flags_.push_back(name);
    } else {
      error_ = "unknown option " + arg;
      return;
    }
  }
}

bool CommandLine::has(const std::string &name) const {
  return std::find(flags_.begin(), flags_.end(), name) != flags_.end() || value(name).has_value();
}

std::optional<std::string> CommandLine::value(const std::string &name) const {
  for (auto it = values_.rbegin(); it != values_.rend(); ++it)
    if (it->first == name)
      return it->second;
  return std::nullopt;
}

std::vector<std::string> CommandLine::values(const std::string &name) const {
  std::vector<std::string> found;
  for (const auto &[option, value] : values_)
    if (option == name)
      found.push_back(value);
  return found;
}

std::optional<std::string> readInput(const std::string &path, std::string &error) {
  if (path == "-")
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot open the file";
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int reportError(std::string_view command, const std::string &message, int status) {
  std::fprintf(stderr, "ebpfvm %.*s: error: %s\n", int(command.size()), command.data(), message.c_str());
  return status;
}

} // namespace ebpfc::ebpfvm
