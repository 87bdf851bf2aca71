// Writes suite JSON the way people lay it out by hand, so that a recorded
// file stays readable in a review: two-space indentation, one field per
// line, short objects such as {"key": ..., "value": ...} and short lists such
// as ["-O2", "-g"] on one line, lists of hex lines one per line.
#pragma once

#include "suites/LocatedJson.h"

#include <string>

namespace ebpfc::suites {

std::string writeSuiteJson(const Json &root);

} // namespace ebpfc::suites
