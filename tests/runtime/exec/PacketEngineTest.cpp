// The PacketEngine API on the interpreter: program selection, map access
// between runs, map changes, repeat, the controllable clock, the seedable
// random generator, the virtual CPU, trace capture, redirect records, and
// errors for input the kernel's test run refuses and for programs the
// verifier would refuse for their helpers.
#include "runtime/exec/PacketEngine.h"
#include "tests/kernel/KernelCaseRunner.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstring>
#include <filesystem>

namespace ebpfc::runtime::testing {
namespace {

namespace fs = std::filesystem;

const Bytes kIpv4 = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
                     0x08, 0x00, 0x45, 0x00, 0x00, 0x14, 0x00, 0x01, 0x40, 0x00, 0x40, 0x3b,
                     0x26, 0xb0, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02};

Bytes le32(uint32_t value) {
  Bytes bytes(4);
  std::memcpy(bytes.data(), &value, 4);
  return bytes;
}

uint64_t le64(const Bytes &bytes) {
  uint64_t value = 0;
  std::memcpy(&value, bytes.data(), std::min<size_t>(bytes.size(), 8));
  return value;
}

fs::path objectDirectory() {
  return fs::path(EBPFC_BINARY_DIR) / "tests" / "runtime_exec_api" / std::to_string(getpid());
}

// programs/NAME.c compiled by clang-19 (into objectDirectory()).
std::string compile(const std::string &name) {
  const fs::path directory = objectDirectory();
  fs::create_directories(directory);
  const std::string object = (directory / (name + ".o")).string();
  std::string output;
  const fs::path source = fs::path(EBPFC_SOURCE_DIR) / "tests" / "runtime" / "exec" / "programs" / (name + ".c");
  const int status = kerneltest::runProcess({EBPFC_CLANG19_PATH, "-O2", "-g", "-target", "bpf",
                                             "-I/usr/include/x86_64-linux-gnu", "-c", source.string(), "-o", object},
                                            output);
  EXPECT_EQ(status, 0) << output;
  return object;
}

class PacketEngineApi : public ::testing::Test {
protected:
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(objectDirectory(), ignored);
  }

  std::unique_ptr<PacketObject> load(VmOptions options = {}, const std::vector<MapContents> &initial = {}) {
    std::string error;
    engine_ = createVmPacketEngine("interp", std::move(options), error);
    EXPECT_TRUE(engine_) << error;
    auto object = engine_->load(compile("engine_api"), initial);
    EXPECT_TRUE(object) << object.error().message;
    return object ? std::move(*object) : nullptr;
  }
  uint64_t observed(PacketObject &object, uint32_t slot) {
    auto entries = object.readMap("observed");
    EXPECT_TRUE(entries);
    for (const MapEntryData &entry : *entries)
      if (entry.key == le32(slot))
        return le64(entry.values[0]);
    return ~uint64_t{0};
  }

  std::unique_ptr<PacketEngine> engine_;
};

TEST_F(PacketEngineApi, ProgramsAndMapsAreListed) {
  auto object = load();
  ASSERT_TRUE(object);
  const std::vector<ProgramSummary> programs = object->programs();
  ASSERT_EQ(programs.size(), 2u);
  EXPECT_EQ(programs[0].name, "count");
  EXPECT_EQ(programs[0].type, ir::ProgramType::Xdp);
  EXPECT_EQ(programs[1].section, "tc");
  bool devmapListed = false;
  for (const MapSummary &map : object->maps())
    if (map.name == "ports")
      devmapListed = map.listable;
  EXPECT_FALSE(devmapListed);
}

TEST_F(PacketEngineApi, RunsByNameOrSectionAndReportsChanges) {
  auto object = load();
  ASSERT_TRUE(object);
  RunOptions options;
  options.mapChanges = true;
  auto first = object->run("count", {kIpv4, {}, 0, {}}, options);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->returnValue, 2u); // no devmap entry: bpf_redirect_map's fallback XDP_PASS
  EXPECT_FALSE(first->redirect);
  ASSERT_TRUE(first->trace);
  EXPECT_EQ(*first->trace, std::vector<std::string>{"type 8"});
  bool added = false;
  for (const MapChange &change : first->mapChanges)
    if (change.map == "per_type" && !change.before && change.after)
      added = (*change.after)[0] == Bytes{1, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_TRUE(added);

  auto second = object->run("xdp", {kIpv4, {}, 0, {}}, options); // by section
  ASSERT_TRUE(second) << second.error().message;
  bool incremented = false;
  for (const MapChange &change : second->mapChanges)
    if (change.map == "per_type" && change.before && change.after)
      incremented = (*change.after)[0][0] == 2;
  EXPECT_TRUE(incremented);

  auto tc = object->run("mark", {kIpv4, {}, 0, {}});
  ASSERT_TRUE(tc) << tc.error().message;
  EXPECT_EQ(tc->context.at("mark"), 42u);
}

TEST_F(PacketEngineApi, RedirectThroughAMapEntry) {
  auto object = load();
  ASSERT_TRUE(object);
  ASSERT_TRUE(object->writeMap("ports", {le32(1), {le32(7)}}));
  auto result = object->run("count", {kIpv4, {}, 0, {}});
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->returnValue, 4u); // XDP_REDIRECT
  ASSERT_TRUE(result->redirect);
  EXPECT_EQ(result->redirect->kind, RedirectRecord::Kind::MapEntry);
  EXPECT_EQ(result->redirect->map, "ports");
  EXPECT_EQ(result->redirect->key, 1u);
  ASSERT_TRUE(result->redirect->target);
  EXPECT_EQ(result->redirect->target->id, 7u);
}

TEST_F(PacketEngineApi, ClockRandomAndCpuAreControllable) {
  VmOptions options;
  options.cpus = 4;
  options.seed = 99;
  options.clockStartNs = 5000;
  options.clockStepNs = 10;
  auto object = load(options);
  ASSERT_TRUE(object);
  ASSERT_TRUE(object->run("count", {kIpv4, {}, 3, {}}));
  EXPECT_EQ(observed(*object, 0), 5000u);
  EXPECT_EQ(observed(*object, 2), 3u);
  const uint64_t firstRandom = observed(*object, 1);
  ASSERT_TRUE(object->run("count", {kIpv4, {}, 0, 123456}));
  EXPECT_EQ(observed(*object, 0), 123456u); // the input's time wins
  ASSERT_TRUE(object->run("count", {kIpv4, {}, 0, {}}));
  EXPECT_EQ(observed(*object, 0), 5010u);

  // The same seed gives the same numbers.
  auto again = load(options);
  ASSERT_TRUE(again->run("count", {kIpv4, {}, 3, {}}));
  EXPECT_EQ(observed(*again, 1), firstRandom);
}

TEST_F(PacketEngineApi, RepeatRunsTheSameInputAgain) {
  auto object = load();
  ASSERT_TRUE(object);
  RunOptions options;
  options.repeat = 5;
  ASSERT_TRUE(object->run("count", {kIpv4, {}, 0, {}}, options));
  auto entries = object->readMap("per_type");
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].values[0][0], 5);
}

TEST_F(PacketEngineApi, MapsAreWrittenReadAndDeleted) {
  MapContents initial{"per_type", {{{0x86, 0xdd}, {Bytes{9, 0, 0, 0, 0, 0, 0, 0}}}}};
  auto object = load({}, {initial});
  ASSERT_TRUE(object);
  auto entries = object->readMap("per_type");
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].values[0][0], 9);
  ASSERT_TRUE(object->deleteMapEntry("per_type", {0x86, 0xdd}));
  EXPECT_TRUE(object->readMap("per_type")->empty());
  EXPECT_FALSE(object->writeMap("per_type", {{1}, {Bytes(8, 0)}}));   // key too short
  EXPECT_FALSE(object->writeMap("nothing", {{1, 2}, {Bytes(8, 0)}}));
  EXPECT_FALSE(object->readMap("ports")); // devmaps are not listed
}

TEST_F(PacketEngineApi, RefusedInputIsAnErrorNotACrash) {
  auto object = load();
  ASSERT_TRUE(object);
  auto shortPacket = object->run("count", {Bytes(10, 0), {}, 0, {}});
  ASSERT_FALSE(shortPacket);
  EXPECT_NE(shortPacket.error().message.find("14-byte Ethernet header"), std::string::npos);
  auto unknownField = object->run("count", {kIpv4, {{"mark", 1}}, 0, {}});
  ASSERT_FALSE(unknownField);
  EXPECT_NE(unknownField.error().message.find("xdp_md has no input field 'mark'"), std::string::npos);
  auto badCpu = object->run("count", {kIpv4, {}, 7, {}});
  ASSERT_FALSE(badCpu);
  EXPECT_NE(badCpu.error().message.find("CPU 7"), std::string::npos);
  auto noSuchProgram = object->run("missing", {kIpv4, {}, 0, {}});
  ASSERT_FALSE(noSuchProgram);
  auto bothPrograms = object->run("", {kIpv4, {}, 0, {}});
  ASSERT_FALSE(bothPrograms); // two programs: one must be named
  auto wireLen = object->run("mark", {kIpv4, {{"wire_len", 3}}, 0, {}});
  ASSERT_FALSE(wireLen);
  EXPECT_NE(wireLen.error().message.find("wire_len"), std::string::npos);
}

TEST_F(PacketEngineApi, HelpersTheProgramTypeMayNotCallRefuseTheProgram) {
  std::string error;
  std::unique_ptr<PacketEngine> engine = createVmPacketEngine("interp", {}, error);
  ASSERT_TRUE(engine) << error;
  auto object = engine->load(compile("wrong_helper"));
  ASSERT_TRUE(object) << object.error().message;
  auto result = (*object)->run("", {kIpv4, {}, 0, {}});
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("program 'wrong_helper'"), std::string::npos) << result.error().message;
  EXPECT_NE(result.error().message.find("bpf_skb_store_bytes"), std::string::npos) << result.error().message;
}

} // namespace
} // namespace ebpfc::runtime::testing
