// Golden-suite cases run through any PacketEngine (interpreter, JIT,
// kernel): the suite's (and the case's) map contents as the engine's
// initial contents, the case's packet and context, and the run turned into
// the CaseResult that suites/CaseCheck.h judges. Also the compile step of a
// suite whose program is a source: ebpfc run as a separate process, so the
// runtime never depends on the compiler.
#pragma once

#include "runtime/exec/PacketEngine.h"
#include "suites/CaseCheck.h"
#include "suites/SuiteFile.h"

#include <filesystem>
#include <string>
#include <vector>

namespace ebpfc::suites {

// Initial contents: the suite's maps, then the case's (a case's value for a
// key replaces the suite's).
std::vector<runtime::MapContents> initialContents(const Suite &suite, const CaseSpec &spec);

// Loads a fresh copy of `object` into `engine` (so cases never see each
// other's map changes), runs the case on CPU 0 and collects the result.
// False with `error` when the engine refuses the object or the input, or
// the run faults.
bool runCase(const runtime::PacketEngine &engine, const std::string &object, const Suite &suite,
             const CaseSpec &spec, CaseResult &result, std::string &error);

// Runs argv[0] (found on PATH if it has no slash) and waits; `output` gets
// stdout and stderr. Returns the exit status, or -1 if it could not run.
int runProcess(const std::vector<std::string> &argv, std::string &output);

// Compiles `source` with `compiler` (ebpfc's path) and `flags` into
// `object`. False with `error` holding the command and its diagnostics.
bool compileProgram(const std::string &compiler, const std::filesystem::path &source,
                    const std::vector<std::string> &flags, const std::filesystem::path &object,
                    std::string &error);

} // namespace ebpfc::suites
