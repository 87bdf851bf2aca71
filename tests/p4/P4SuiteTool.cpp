// p4-suite: runs the golden suites of P4 programs in the running kernel. P4
// has no reference compiler to compare with (clang does not read P4), so the
// kernel's results are judged against the suites' expectations only.
//
//   p4-suite SUITE.suite.json...           check every case
//   p4-suite --record [--all] SUITE...     fill in "expect" of the cases that
//       have none (--all: of every case) from the kernel's results. Review
//       what it wrote by hand: a recorded wrong answer is a bug.
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

std::optional<suites::Suite> load(const fs::path &path) {
  auto loaded = suites::loadSuite(path);
  if (auto *error = std::get_if<suites::SuiteError>(&loaded)) {
    std::cerr << error->toString() << "\n";
    return std::nullopt;
  }
  return std::get<suites::Suite>(std::move(loaded));
}

bool compile(const suites::Suite &suite, const fs::path &directory, fs::path &object) {
  std::string error;
  if (!kerneltest::compileSuiteProgram(suite, kerneltest::ebpfcCompiler(EBPFC_PATH), directory, object, error)) {
    std::cerr << suite.path.string() << ": " << error << "\n";
    return false;
  }
  return true;
}

bool run(const fs::path &path, bool record, bool all, const fs::path &directory) {
  std::optional<suites::Suite> loaded = load(path);
  fs::path object;
  if (!loaded || !compile(*loaded, directory, object))
    return false;
  const suites::Suite &suite = *loaded;
  kerneltest::KernelCaseRunner runner(suite, object, nullptr);
  std::vector<std::optional<suites::CaseResult>> results(suite.cases.size());
  suites::ProgramWrites writes;
  size_t passed = 0;
  bool ok = true;
  for (size_t i = 0; i < suite.cases.size(); i++) {
    const suites::CaseSpec &spec = suite.cases[i];
    suites::CaseResult result;
    std::string error;
    if (!runner.run(spec, result, error)) {
      // A verifier log can be huge; its end says why.
      if (error.size() > 4000)
        error = "..." + error.substr(error.size() - 4000);
      std::cout << "FAIL " << spec.where.toString() << ": " << spec.name << "\n  " << error << "\n";
      ok = false;
      continue;
    }
    if (!record) {
      std::vector<std::string> problems = suites::checkCase(spec, spec.packet, result);
      if (problems.empty()) {
        passed++;
      } else {
        ok = false;
        std::cout << "FAIL " << spec.where.toString() << ": " << spec.name << "\n";
        for (const std::string &problem : problems)
          std::cout << "  " << problem << "\n";
      }
    }
    writes.learnFrom(spec, result);
    results[i] = std::move(result);
  }
  // The scratch map holds per-packet state only; it is not an outcome.
  writes.maps.erase("ebpfc_p4_scratch");
  if (!record) {
    std::cout << path.string() << ": " << passed << " passed, " << suite.cases.size() - passed << " failed\n";
    return ok;
  }
  std::string error;
  suites::Json root;
  if (!suites::readSuiteJson(suite, root, error)) {
    std::cerr << error << "\n";
    return false;
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
      std::cerr << "usage: p4-suite [--record [--all]] SUITE.suite.json...\n"
                   "Compiles each suite's P4 program with ebpfc and runs its cases in the running kernel.\n"
                   "Without --record: every case must match its \"expect\".\n"
                   "--record: writes the kernel's results as \"expect\" of cases that have none (--all: of\n"
                   "all cases). Review what it wrote: a recorded wrong answer is a bug.\n";
      return arg == "--help" ? 0 : 2;
    } else
      paths.emplace_back(arg);
  }
  if (paths.empty() || (all && !record)) {
    std::cerr << "p4-suite: " << (paths.empty() ? "no suite given" : "--all needs --record") << " (see --help)\n";
    return 2;
  }
  std::string reason;
  if (!runtime::kernel::kernelAvailable(reason)) {
    std::cerr << "p4-suite: the kernel engine is unavailable: " << reason << "\n";
    return 1;
  }
  fs::path directory = fs::temp_directory_path() / ("ebpfc-p4-suite-" + std::to_string(getpid()));
  bool ok = true;
  for (const fs::path &path : paths)
    ok = run(path, record, all, directory / kerneltest::suiteName(path)) && ok;
  std::error_code ignored;
  fs::remove_all(directory, ignored);
  return ok ? 0 : 1;
}
