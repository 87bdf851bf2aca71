// kernel-suite: runs golden suites in the running kernel, on the program
// compiled by clang-19 (the reference) and by ebpfc.
//
//   kernel-suite SUITE.suite.json...            check every case: both
//       compilers' results must agree and match the expectations
//   kernel-suite --record [--all] SUITE...      fill in "expect" of the cases
//       without one (--all: of every case) from the kernel's results; a case
//       whose two results differ is not recorded. Review what it wrote by
//       hand: a recorded wrong answer is a bug.
#include "runtime/kernel/KernelAvailability.h"
#include "suites/CaseCheck.h"
#include "suites/SuiteRecorder.h"
#include "tests/kernel/KernelCaseRunner.h"

#include <filesystem>
#include <iostream>
#include <optional>
#include <unistd.h>

using namespace ebpfc;
namespace fs = std::filesystem;

namespace {

// Both compilers' objects of one suite, in a directory removed afterwards.
struct CompiledSuite {
  fs::path objects;
  fs::path clangObject;
  fs::path ebpfcObject;
  ~CompiledSuite() {
    std::error_code ignored;
    fs::remove_all(objects, ignored);
  }
};

bool compileBoth(const suites::Suite &suite, CompiledSuite &compiled) {
  compiled.objects = fs::temp_directory_path() / ("ebpfc-kernel-suite-" + std::to_string(getpid()));
  std::string error;
  if (!kerneltest::compileSuiteProgram(suite, kerneltest::clangCompiler(EBPFC_CLANG19_PATH),
                                       compiled.objects / "clang-19", compiled.clangObject, error) ||
      !kerneltest::compileSuiteProgram(suite, kerneltest::ebpfcCompiler(EBPFC_PATH), compiled.objects / "ebpfc",
                                       compiled.ebpfcObject, error)) {
    std::cerr << suite.path.string() << ": " << error << "\n";
    return false;
  }
  return true;
}

std::optional<suites::Suite> load(const fs::path &path) {
  auto loaded = suites::loadSuite(path);
  if (auto *error = std::get_if<suites::SuiteError>(&loaded)) {
    std::cerr << error->toString() << "\n";
    return std::nullopt;
  }
  return std::get<suites::Suite>(std::move(loaded));
}

bool checkSuite(const fs::path &path, runtime::kernel::TracePrintkCapture *trace) {
  std::optional<suites::Suite> suite = load(path);
  CompiledSuite compiled;
  if (!suite || !compileBoth(*suite, compiled))
    return false;
  kerneltest::KernelCaseRunner clang(*suite, compiled.clangObject, trace), ebpfc(*suite, compiled.ebpfcObject, trace);
  size_t passed = 0;
  for (const suites::CaseSpec &spec : suite->cases) {
    suites::CaseResult clangResult, ebpfcResult;
    std::string error;
    std::vector<std::string> problems;
    if (!clang.run(spec, clangResult, error) || !ebpfc.run(spec, ebpfcResult, error)) {
      problems.push_back(error);
    } else {
      problems = suites::describeDifferences(ebpfcResult, clangResult, "ebpfc", "clang-19");
      for (const std::string &problem : suites::checkCase(spec, spec.packet, clangResult))
        problems.push_back("clang-19: " + problem);
      for (const std::string &problem : suites::checkCase(spec, spec.packet, ebpfcResult))
        problems.push_back("ebpfc: " + problem);
    }
    if (problems.empty()) {
      passed++;
      continue;
    }
    std::cout << "FAIL " << spec.where.toString() << ": " << spec.name << "\n";
    for (const std::string &problem : problems)
      std::cout << "  " << problem << "\n";
  }
  std::cout << path.string() << ": " << passed << " passed, " << suite->cases.size() - passed << " failed\n";
  return passed == suite->cases.size();
}

bool recordSuite(const fs::path &path, bool all, runtime::kernel::TracePrintkCapture *trace) {
  std::optional<suites::Suite> loaded = load(path);
  CompiledSuite compiled;
  if (!loaded || !compileBoth(*loaded, compiled))
    return false;
  const suites::Suite &suite = *loaded;
  std::string error;
  suites::Json root;
  if (!suites::readSuiteJson(suite, root, error)) {
    std::cerr << error << "\n";
    return false;
  }
  kerneltest::KernelCaseRunner clang(suite, compiled.clangObject, trace), ebpfc(suite, compiled.ebpfcObject, trace);
  // Every case runs, recorded or not: what the program writes is learned
  // from all of them.
  std::vector<std::optional<suites::CaseResult>> results(suite.cases.size());
  suites::ProgramWrites writes;
  bool ok = true;
  for (size_t i = 0; i < suite.cases.size(); i++) {
    const suites::CaseSpec &spec = suite.cases[i];
    suites::CaseResult clangResult, ebpfcResult;
    if (!clang.run(spec, clangResult, error) || !ebpfc.run(spec, ebpfcResult, error)) {
      std::cerr << spec.where.toString() << ": case \"" << spec.name << "\": " << error << "\n";
      ok = false;
      continue;
    }
    auto differences = suites::describeDifferences(ebpfcResult, clangResult, "ebpfc", "clang-19");
    if (!differences.empty()) {
      std::cerr << spec.where.toString() << ": case \"" << spec.name << "\" not recorded, the compilers disagree:\n";
      for (const std::string &difference : differences)
        std::cerr << "  " << difference << "\n";
      ok = false;
      continue;
    }
    writes.learnFrom(spec, clangResult);
    results[i] = std::move(clangResult);
  }
  std::map<std::string, suites::Json> recorded;
  for (size_t i = 0; i < suite.cases.size(); i++) {
    const suites::CaseSpec &spec = suite.cases[i];
    if (!results[i] || (spec.hasExpectations && !all))
      continue;
    suites::Json expect = suites::recordExpectations(spec, root["cases"][i]["packet"], *results[i], writes);
    std::cout << kerneltest::suiteName(path) << " / " << spec.name << ": " << expect.dump() << "\n";
    recorded[spec.name] = std::move(expect);
  }
  if (!recorded.empty() && !suites::writeRecordedExpectations(suite, recorded, error)) {
    std::cerr << error << "\n";
    return false;
  }
  std::cout << path.string() << ": recorded " << recorded.size() << " case(s); review them before committing\n";
  return ok;
}

} // namespace

int main(int argc, char **argv) {
  bool record = false, all = false;
  std::vector<fs::path> paths;
  for (int i = 1; i < argc; i++) {
    std::string arg = argv[i];
    if (arg == "--record")
      record = true;
    else if (arg == "--all")
      all = true;
    else if (arg == "--help" || arg.starts_with("-")) {
      std::cerr << "usage: kernel-suite [--record [--all]] SUITE.suite.json...\n"
                   "Runs each case on the program compiled by clang-19 and by ebpfc in the running kernel.\n"
                   "Without --record: both results must agree and match the case's \"expect\".\n"
                   "--record: writes the results as \"expect\" of cases that have none (--all: of all\n"
                   "cases). Review what it wrote: a recorded wrong answer is a bug.\n";
      return arg == "--help" ? 0 : 2;
    } else
      paths.emplace_back(arg);
  }
  if (paths.empty() || (all && !record)) {
    std::cerr << "kernel-suite: " << (paths.empty() ? "no suite given" : "--all needs --record") << " (see --help)\n";
    return 2;
  }
  std::string reason;
  if (!runtime::kernel::kernelAvailable(reason)) {
    std::cerr << "kernel-suite: the kernel engine is unavailable: " << reason << "\n";
    return 1;
  }
  std::string traceError;
  auto trace = runtime::kernel::TracePrintkCapture::start(traceError);
  if (!trace)
    std::cerr << "warning: bpf_trace_printk output is not captured: " << traceError << "\n";
  bool ok = true;
  for (const fs::path &path : paths)
    ok = (record ? recordSuite(path, all, trace.get()) : checkSuite(path, trace.get())) && ok;
  return ok ? 0 : 1;
}
