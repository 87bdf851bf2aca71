// The differential test of the foundation issue: every examples/c program,
// compiled by ebpfc -O2 -g and by clang-19 -O2 -g -target bpf, loads in the
// running kernel (libbpf and bpftool), behaves identically under
// BPF_PROG_TEST_RUN on its suite's packets (return value, output packet,
// context, map contents, trace output, ring buffer records), matches the
// suite's reviewed expectations, and ebpfc's translated instruction count is
// no larger than clang's. Skipped, with the reason, where bpf() is refused.
#include "runtime/kernel/KernelAvailability.h"
#include "suites/CaseCheck.h"
#include "tests/kernel/KernelCaseRunner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <unistd.h>

namespace ebpfc::kerneltest {
namespace {

namespace fs = std::filesystem;

const fs::path kExamplesDir = fs::path(EBPFC_SOURCE_DIR) / "examples" / "c";
// One directory per test process: CTest may run the tests of one suite in
// parallel.
const fs::path kObjectsDir = fs::path(EBPFC_KERNEL_TEST_OBJECTS) / std::to_string(getpid());

std::vector<fs::path> exampleSuites() {
  std::vector<fs::path> suites;
  for (const auto &entry : fs::directory_iterator(kExamplesDir))
    if (entry.path().string().ends_with(".suite.json"))
      suites.push_back(entry.path());
  std::sort(suites.begin(), suites.end());
  return suites;
}

std::string testName(const testing::TestParamInfo<fs::path> &info) { return suiteName(info.param); }

// Compiled objects of one suite, by both compilers.
struct CompiledSuite {
  suites::Suite suite;
  fs::path ebpfcObject;
  fs::path clangObject;
};

class KernelDifferential : public testing::TestWithParam<fs::path> {
protected:
  void SetUp() override {
    std::string reason;
    if (!runtime::kernel::kernelAvailable(reason))
      GTEST_SKIP() << "SKIPPED: the kernel engine is unavailable: " << reason;
    auto loaded = suites::loadSuite(GetParam());
    if (auto *error = std::get_if<suites::SuiteError>(&loaded))
      FAIL() << error->toString();
    compiled_.suite = std::move(std::get<suites::Suite>(loaded));
    std::string error;
    ASSERT_TRUE(compileSuiteProgram(compiled_.suite, ebpfcCompiler(EBPFC_PATH), kObjectsDir / "ebpfc",
                                    compiled_.ebpfcObject, error))
        << error;
    ASSERT_TRUE(compileSuiteProgram(compiled_.suite, clangCompiler(EBPFC_CLANG19_PATH), kObjectsDir / "clang-19",
                                    compiled_.clangObject, error))
        << error;
  }

  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(kObjectsDir, ignored);
  }

  CompiledSuite compiled_;
};

TEST_P(KernelDifferential, LoadsWithBpftool) {
  std::string error;
  EXPECT_TRUE(bpftoolLoadAll(EBPFC_BPFTOOL_PATH, compiled_.ebpfcObject, error)) << "ebpfc's object: " << error;
  EXPECT_TRUE(bpftoolLoadAll(EBPFC_BPFTOOL_PATH, compiled_.clangObject, error)) << "clang-19's object: " << error;
}

TEST_P(KernelDifferential, XlatedNoLargerThanClang) {
  std::map<std::string, uint32_t> ebpfcCounts, clangCounts;
  std::string error;
  ASSERT_TRUE(KernelCaseRunner(compiled_.suite, compiled_.ebpfcObject, nullptr).xlatedCounts(ebpfcCounts, error))
      << error;
  ASSERT_TRUE(KernelCaseRunner(compiled_.suite, compiled_.clangObject, nullptr).xlatedCounts(clangCounts, error))
      << error;
  ASSERT_EQ(ebpfcCounts.size(), clangCounts.size()) << "the objects have different programs";
  for (const auto &[program, count] : ebpfcCounts) {
    ASSERT_TRUE(clangCounts.count(program)) << "clang-19's object has no program " << program;
    std::cout << "xlated " << suiteName(GetParam()) << "/" << program << ": ebpfc " << count << ", clang-19 "
              << clangCounts[program] << " instructions\n";
    EXPECT_LE(count, clangCounts[program]) << program << ": ebpfc's translated program is larger than clang-19's";
  }
}

TEST_P(KernelDifferential, CasesMatchClangAndExpectations) {
  std::string traceError;
  auto trace = runtime::kernel::TracePrintkCapture::start(traceError);
  if (!trace)
    std::cout << "note: bpf_trace_printk output is not compared: " << traceError << "\n";
  KernelCaseRunner ebpfc(compiled_.suite, compiled_.ebpfcObject, trace.get());
  KernelCaseRunner clang(compiled_.suite, compiled_.clangObject, trace.get());
  ASSERT_FALSE(compiled_.suite.cases.empty()) << "the suite has no cases";
  for (const suites::CaseSpec &spec : compiled_.suite.cases) {
    SCOPED_TRACE("case \"" + spec.name + "\" (" + spec.where.toString() + ")");
    suites::CaseResult ebpfcResult, clangResult;
    std::string error;
    ASSERT_TRUE(ebpfc.run(spec, ebpfcResult, error)) << "ebpfc's object: " << error;
    ASSERT_TRUE(clang.run(spec, clangResult, error)) << "clang-19's object: " << error;
    for (const std::string &difference : suites::describeDifferences(ebpfcResult, clangResult, "ebpfc", "clang-19"))
      ADD_FAILURE() << difference;
    for (const std::string &problem : suites::checkCase(spec, spec.packet, ebpfcResult))
      ADD_FAILURE() << "ebpfc: " << problem;
    for (const std::string &problem : suites::checkCase(spec, spec.packet, clangResult))
      ADD_FAILURE() << "clang-19: " << problem;
  }
}

INSTANTIATE_TEST_SUITE_P(Examples, KernelDifferential, testing::ValuesIn(exampleSuites()), testName);

// Every example has a suite and every suite an example, so that no program
// escapes the differential test.
TEST(KernelSuites, EveryExampleHasASuite) {
  std::vector<std::string> sources, suiteNames;
  for (const auto &entry : fs::directory_iterator(kExamplesDir))
    if (entry.path().extension() == ".c")
      sources.push_back(entry.path().stem().string());
  for (const fs::path &suite : exampleSuites())
    suiteNames.push_back(suiteName(suite));
  std::sort(sources.begin(), sources.end());
  std::sort(suiteNames.begin(), suiteNames.end());
  EXPECT_GE(sources.size(), 10u);
  EXPECT_EQ(sources, suiteNames);
}

} // namespace
} // namespace ebpfc::kerneltest
