// Make-syntax dependency files (-MD), readable by Make and Ninja.
#pragma once

#include "driver/CompileOptions.h"

#include <string>
#include <vector>

namespace ebpfc::driver {

// `targets: dep dep ...` with Make's escaping; with -MP a phony rule per
// header so deleting a header does not break the build.
std::string formatDepfile(const DepfileOptions &options, const std::string &outputPath,
                          const std::vector<std::string> &dependencies);

// The depfile path for an output when -MF is not given: "x.o" -> "x.d".
std::string defaultDepfilePath(const std::string &outputPath);

} // namespace ebpfc::driver
