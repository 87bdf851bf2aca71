// Golden-suite cases run through a PacketEngine, for the runtime's tests:
// the suite's (and the case's) map contents as the engine's initial
// contents, the case's packet and context, and the run turned into the
// suites::CaseResult that suites/CaseCheck.h judges.
#pragma once

#include "runtime/exec/PacketEngine.h"
#include "suites/CaseCheck.h"
#include "suites/SuiteFile.h"

#include <string>
#include <vector>

namespace ebpfc::runtime::testing {

// Initial contents: the suite's maps, then the case's (a case's value for a
// key replaces the suite's).
std::vector<MapContents> initialContents(const suites::Suite &suite, const suites::CaseSpec &spec);

// Loads a fresh copy of `object` into `engine` (so cases never see each
// other's map changes), runs the case on CPU 0 and collects the result.
// False with `error` when the engine refuses the object or the input.
bool runCase(const PacketEngine &engine, const std::string &object, const suites::Suite &suite,
             const suites::CaseSpec &spec, suites::CaseResult &result, std::string &error);

} // namespace ebpfc::runtime::testing
