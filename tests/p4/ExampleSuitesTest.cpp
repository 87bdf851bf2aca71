// The P4 examples (examples/p4): each has a suite, compiles, passes every
// case of its suite in ebpfvm's interpreter, loads in the running kernel
// with bpftool, and passes every case there too (BPF_PROG_TEST_RUN).
// Without bpf() the kernel tests are skipped with the reason.
#include "runtime/exec/PacketEngine.h"
#include "runtime/kernel/KernelAvailability.h"
#include "suites/CaseCheck.h"
#include "tests/kernel/KernelCaseRunner.h"
#include "tests/support/Subprocess.h"

#include <gtest/gtest.h>

#include <filesystem>

using namespace ebpfc;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> examples() {
  std::vector<std::string> names;
  for (const auto &entry : fs::directory_iterator(P4_EXAMPLES_DIR)) {
    std::string name = entry.path().filename().string();
    if (name.ends_with(".suite.json"))
      names.push_back(name.substr(0, name.size() - std::string(".suite.json").size()));
  }
  std::sort(names.begin(), names.end());
  return names;
}

class P4Example : public ::testing::TestWithParam<std::string> {
protected:
  void SetUp() override {
    fs::path path = fs::path(P4_EXAMPLES_DIR) / (GetParam() + ".suite.json");
    auto loaded = suites::loadSuite(path);
    if (auto *error = std::get_if<suites::SuiteError>(&loaded))
      FAIL() << error->toString();
    suite_ = std::get<suites::Suite>(std::move(loaded));
    std::string error;
    ASSERT_TRUE(kerneltest::compileSuiteProgram(*suite_, kerneltest::ebpfcCompiler(EBPFC_PATH),
                                                ebpfc::testing::makeTempDir("p4-example-" + GetParam()), object_,
                                                error))
        << error;
  }

  void requireKernel() {
    std::string reason;
    if (!runtime::kernel::kernelAvailable(reason))
      GTEST_SKIP() << "the kernel engine is unavailable: " << reason;
  }

  std::optional<suites::Suite> suite_;
  fs::path object_;
};

TEST_P(P4Example, LoadsWithBpftool) {
  requireKernel();
  std::string error;
  EXPECT_TRUE(kerneltest::bpftoolLoadAll(EBPFC_BPFTOOL_PATH, object_, error)) << error;
}

TEST_P(P4Example, PassesItsSuiteInTheKernel) {
  requireKernel();
  kerneltest::KernelCaseRunner runner(*suite_, object_, nullptr);
  for (const suites::CaseSpec &spec : suite_->cases) {
    suites::CaseResult result;
    std::string error;
    if (!runner.run(spec, result, error)) {
      ADD_FAILURE() << spec.where.toString() << ": " << spec.name << ": " << error.substr(0, 4000);
      continue;
    }
    for (const std::string &problem : suites::checkCase(spec, spec.packet, result))
      ADD_FAILURE() << spec.where.toString() << ": " << spec.name << ": " << problem;
  }
}

// The suite's and the case's initial map contents, as the engines take them.
std::vector<runtime::MapContents> initialMaps(const suites::Suite &suite, const suites::CaseSpec &spec) {
  std::vector<runtime::MapContents> maps;
  for (const auto *list : {&suite.maps, &spec.maps})
    for (const suites::MapContents &contents : *list) {
      runtime::MapContents &out = maps.emplace_back();
      out.map = contents.map;
      for (const suites::MapEntrySpec &entry : contents.entries) {
        runtime::MapEntryData data{entry.key, {}};
        if (entry.value) {
          data.values.push_back(entry.value->bytes);
        } else {
          for (const auto &[cpu, value] : entry.cpuValues) {
            data.values.resize(std::max<size_t>(data.values.size(), cpu + 1), suites::Bytes(value.bytes.size()));
            data.values[cpu] = value.bytes;
          }
        }
        out.entries.push_back(std::move(data));
      }
    }
  return maps;
}

TEST_P(P4Example, PassesItsSuiteInTheInterpreter) {
  std::string error;
  std::unique_ptr<runtime::PacketEngine> engine = runtime::createVmPacketEngine("interp", {}, error);
  ASSERT_TRUE(engine) << error;
  for (const suites::CaseSpec &spec : suite_->cases) {
    SCOPED_TRACE(spec.where.toString() + ": " + spec.name);
    auto loaded = engine->load(object_.string(), initialMaps(*suite_, spec));
    ASSERT_TRUE(loaded) << loaded.error().message;
    runtime::PacketObject &object = **loaded;
    runtime::PacketInput input;
    input.packet = spec.packet;
    for (const suites::ContextValue &field : spec.context)
      input.context.emplace_back(field.field, field.value);
    auto run = object.run(suite_->program.entry, input);
    ASSERT_TRUE(run) << run.error().message;
    ASSERT_FALSE(run->fault) << run->fault->message;
    suites::CaseResult result;
    result.contextKind = object.programs().front().type == ir::ProgramType::Xdp ? suites::ContextKind::Xdp
                                                                                 : suites::ContextKind::Skb;
    result.returnValue = run->returnValue;
    result.packet = run->packet;
    result.context = run->context;
    result.trace = run->trace;
    result.ringBuffers = run->ringBuffers;
    for (const runtime::MapSummary &map : object.maps()) {
      if (!map.listable)
        continue;
      auto entries = object.readMap(map.name);
      ASSERT_TRUE(entries) << entries.error().message;
      suites::MapState &state = result.mapsAfter[map.name];
      state.perCpu = map.perCpu;
      for (runtime::MapEntryData &entry : *entries)
        state.entries.push_back({std::move(entry.key), std::move(entry.values)});
    }
    for (const std::string &problem : suites::checkCase(spec, spec.packet, result))
      ADD_FAILURE() << problem;
  }
}

INSTANTIATE_TEST_SUITE_P(Examples, P4Example, ::testing::ValuesIn(examples()),
                         [](const ::testing::TestParamInfo<std::string> &info) { return info.param; });

// Every program of examples/p4 (other than included headers) has a suite,
// and there are at least 15 of them.
TEST(P4Examples, EveryProgramHasASuite) {
  std::vector<std::string> withSuites = examples();
  size_t programs = 0;
  for (const auto &entry : fs::directory_iterator(P4_EXAMPLES_DIR)) {
    if (entry.path().extension() != ".p4" || entry.path().filename() == "headers.p4")
      continue;
    ++programs;
    std::string name = entry.path().stem().string();
    EXPECT_NE(std::find(withSuites.begin(), withSuites.end(), name), withSuites.end()) << name << " has no suite";
  }
  EXPECT_GE(programs, 15u);
}

} // namespace
