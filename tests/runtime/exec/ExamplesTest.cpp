// Every examples/c program, compiled by ebpfc and by clang-19, runs in the
// interpreter on every case of its examples/c/<name>.suite.json and produces
// the recorded return value, output packet, context, map contents, trace
// lines and ring buffer records (recorded from the kernel). Where bpf() is
// permitted, the kernel engine runs each case side by side and the two must
// agree on everything both observe.
#include "runtime/exec/PacketEngine.h"
#include "runtime/kernel/KernelAvailability.h"
#include "runtime/kernel/KernelObject.h"
#include "tests/kernel/KernelCaseRunner.h"
#include "suites/SuiteRunner.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>

namespace ebpfc::runtime::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kExamples = fs::path(EBPFC_SOURCE_DIR) / "examples" / "c";

struct ExampleParam {
  fs::path suite;
  std::string compiler; // "ebpfc" or "clang-19"
};
void PrintTo(const ExampleParam &param, std::ostream *out) {
  *out << param.suite.filename().string() << " compiled by " << param.compiler;
}

std::vector<ExampleParam> exampleParams() {
  std::vector<fs::path> suites;
  for (const auto &entry : fs::directory_iterator(kExamples))
    if (entry.path().string().ends_with(".suite.json"))
      suites.push_back(entry.path());
  std::sort(suites.begin(), suites.end());
  std::vector<ExampleParam> params;
  for (const fs::path &suite : suites)
    for (const char *compiler : {"ebpfc", "clang-19"})
      params.push_back({suite, compiler});
  return params;
}

std::string paramName(const ::testing::TestParamInfo<ExampleParam> &info) {
  std::string name = kerneltest::suiteName(info.param.suite) + "_" +
                     (info.param.compiler == "ebpfc" ? std::string("ebpfc") : std::string("clang"));
  return name;
}

class ExampleSuite : public ::testing::TestWithParam<ExampleParam> {
protected:
  void SetUp() override {
    auto loaded = suites::loadSuite(GetParam().suite);
    if (auto *error = std::get_if<suites::SuiteError>(&loaded))
      FAIL() << error->toString();
    suite_ = std::get<suites::Suite>(std::move(loaded));
    outputDir_ = fs::path(EBPFC_BINARY_DIR) / "tests" / "runtime_exec_objects" / std::to_string(getpid()) /
                 GetParam().compiler;
    const kerneltest::Compiler compiler = GetParam().compiler == "ebpfc" ? kerneltest::ebpfcCompiler(EBPFC_PATH)
                                                                         : kerneltest::clangCompiler(EBPFC_CLANG19_PATH);
    fs::path object;
    std::string error;
    ASSERT_TRUE(kerneltest::compileSuiteProgram(suite_, compiler, outputDir_, object, error)) << error;
    object_ = object.string();
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(outputDir_.parent_path(), ignored);
  }

  suites::Suite suite_;
  fs::path outputDir_;
  std::string object_;
};

std::string joined(const std::vector<std::string> &lines) {
  std::string text;
  for (const std::string &line : lines)
    text += "\n  " + line;
  return text;
}

TEST_P(ExampleSuite, InterpreterMatchesRecordedKernelResults) {
  VmOptions options;
  // As many virtual CPUs as the machine has, so per-CPU maps read back like
  // the kernel's; cases run on CPU 0.
  options.cpus = std::max(1u, kernel::KernelObject::possibleCpus());
  std::string error;
  std::unique_ptr<PacketEngine> interpreter = createVmPacketEngine("interp", options, error);
  ASSERT_TRUE(interpreter) << error;
  ASSERT_FALSE(suite_.cases.empty());
  for (const suites::CaseSpec &spec : suite_.cases) {
    SCOPED_TRACE("case \"" + spec.name + "\" (" + spec.where.toString() + ")");
    suites::CaseResult result;
    ASSERT_TRUE(suites::runCase(*interpreter, object_, suite_, spec, result, error)) << error;
    const std::vector<std::string> problems = suites::checkCase(spec, spec.packet, result);
    EXPECT_TRUE(problems.empty()) << GetParam().compiler << "'s object in the interpreter:" << joined(problems);
  }
}

TEST_P(ExampleSuite, InterpreterAgreesWithKernel) {
  std::string reason;
  if (!kernel::kernelAvailable(reason))
    GTEST_SKIP() << "SKIPPED: the kernel engine is unavailable: " << reason;
  VmOptions options;
  options.cpus = std::max(1u, kernel::KernelObject::possibleCpus());
  std::string error;
  std::unique_ptr<PacketEngine> interpreter = createVmPacketEngine("interp", options, error);
  ASSERT_TRUE(interpreter) << error;
  std::unique_ptr<PacketEngine> kernelEngine = createKernelPacketEngine(error);
  ASSERT_TRUE(kernelEngine) << error;
  for (const suites::CaseSpec &spec : suite_.cases) {
    SCOPED_TRACE("case \"" + spec.name + "\" (" + spec.where.toString() + ")");
    suites::CaseResult vm, kernelResult;
    ASSERT_TRUE(suites::runCase(*interpreter, object_, suite_, spec, vm, error)) << error;
    ASSERT_TRUE(suites::runCase(*kernelEngine, object_, suite_, spec, kernelResult, error)) << error;
    const std::vector<std::string> differences = suites::describeDifferences(vm, kernelResult, "ebpfvm", "kernel");
    EXPECT_TRUE(differences.empty()) << GetParam().compiler << "'s object:" << joined(differences);
  }
}

INSTANTIATE_TEST_SUITE_P(Examples, ExampleSuite, ::testing::ValuesIn(exampleParams()), paramName);

} // namespace
} // namespace ebpfc::runtime::testing
