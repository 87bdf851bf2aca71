// Runs golden-suite cases in the running kernel: compiles a suite's program
// with a given compiler, loads the object through libbpf (runtime/kernel),
// sets the initial map contents, runs each case with BPF_PROG_TEST_RUN and
// collects a suites::CaseResult. Shared by the differential test and the
// --record tool.
#pragma once

#include "runtime/kernel/KernelObject.h"
#include "runtime/kernel/TracePrintkCapture.h"
#include "suites/CaseCheck.h"
#include "suites/SuiteFile.h"
#include "suites/SuiteRunner.h"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace ebpfc::kerneltest {

struct Compiler {
  std::string label;                // "ebpfc", "clang-19"
  std::vector<std::string> command; // the program and the arguments before the suite's flags
};

// `ebpfc` as built, and the reference compiler as issue 2 defines it.
Compiler ebpfcCompiler(const std::string &ebpfcPath);
Compiler clangCompiler(const std::string &clangPath);

// Runs argv[0] and waits (suites/SuiteRunner.h).
using suites::runProcess;

// Compiles the suite's source into `outputDir`/<suite name>.o. An object
// given by the suite ("object") is used as it is.
bool compileSuiteProgram(const suites::Suite &suite, const Compiler &compiler, const std::filesystem::path &outputDir,
                         std::filesystem::path &object, std::string &error);

// The suite's name: its file name without ".suite.json".
std::string suiteName(const std::filesystem::path &suitePath);

class KernelCaseRunner {
public:
  // `trace` may be null: results then carry no trace output.
  KernelCaseRunner(const suites::Suite &suite, std::filesystem::path object,
                   runtime::kernel::TracePrintkCapture *trace)
      : suite_(suite), object_(std::move(object)), trace_(trace) {}

  // Loads a fresh copy of the object for the case, so that cases never see
  // each other's map changes.
  bool run(const suites::CaseSpec &spec, suites::CaseResult &result, std::string &error) const;

  // Translated instruction count of every program of the object, loaded with
  // the suite's initial global data (constants in .rodata let the verifier
  // remove dead code, which changes the count).
  bool xlatedCounts(std::map<std::string, uint32_t> &counts, std::string &error) const;

private:
  std::unique_ptr<runtime::kernel::KernelObject> loadWithMaps(const std::vector<suites::MapContents> &caseMaps,
                                                              std::string &error) const;
  const runtime::kernel::KernelProgram *entryProgram(const runtime::kernel::KernelObject &object,
                                                     std::string &error) const;

  const suites::Suite &suite_;
  std::filesystem::path object_;
  runtime::kernel::TracePrintkCapture *trace_;
};

// `bpftool prog loadall OBJECT DIR` into a fresh directory under
// /sys/fs/bpf, removed again afterwards.
bool bpftoolLoadAll(const std::string &bpftool, const std::filesystem::path &object, std::string &error);

} // namespace ebpfc::kerneltest
