// Differential test against the kernel's own loader: `bpftool prog loadall`
// (libbpf) loads each clang object into the kernel; the maps the kernel then
// holds (type, key/value sizes, max_entries, flags), the programs (names,
// types) and the initial slots libbpf fills (from its debug log) must match
// what our loader read. Skipped, with the reason, where bpf() is refused.
#include "ElfTestSupport.h"

#include "ir/MapType.h"
#include "runtime/loader/Loader.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <regex>
#include <set>
#include <unistd.h>

namespace ebpfc::runtime {
namespace {

namespace fs = std::filesystem;
using test::objectPath;

constexpr uint32_t kMapFlagMmapable = 0x400;
constexpr size_t kKernelNameLength = 15; // BPF_OBJ_NAME_LEN - 1
// map_attrs.c pins this map by name, at libbpf's default root (bpftool
// leaves the pin behind).
const char *const kPinnedByName = "/sys/fs/bpf/ldrtest_pinned";

struct CommandResult {
  int status = -1;
  std::string output; // stdout and stderr
};

CommandResult run(const std::string &command) {
  CommandResult result;
  FILE *pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe)
    return result;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0)
    result.output.append(buffer, n);
  result.status = pclose(pipe);
  return result;
}

std::string bpftool() { return BPFTOOL_PATH; }

void removePins(const std::string &dir) {
  std::error_code ignored;
  fs::remove_all(dir, ignored);
}

class BpftoolComparison : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    if (bpftool().empty() || !fs::exists(bpftool())) {
      skipReason_ = "bpftool is not installed";
      return;
    }
    std::string dir = "/sys/fs/bpf/ldrtest_probe_" + std::to_string(getpid());
    removePins(dir);
    CommandResult probe =
        run(bpftool() + " prog loadall " + objectPath("multi_prog.clang.o") + " " + dir);
    removePins(dir);
    if (probe.status != 0)
      skipReason_ = "the kernel refused to load a probe object with bpftool (bpf() not "
                    "permitted or bpffs missing at /sys/fs/bpf): " +
                    probe.output;
  }
  void SetUp() override {
    if (!skipReason_.empty())
      GTEST_SKIP() << skipReason_;
  }

  void compare(const std::string &objectName);

  static std::string skipReason_;
};

std::string BpftoolComparison::skipReason_;

nlohmann::json showJson(const std::string &what) {
  CommandResult result = run(bpftool() + " -j " + what);
  EXPECT_EQ(result.status, 0) << what << ": " << result.output;
  return nlohmann::json::parse(result.output, nullptr, false);
}

// Our map for a kernel map name: the same name, or for global data libbpf's
// "<object prefix>.data"-style name ending with the section name.
const MapSpec *matchMap(const ObjectImage &image, const std::string &kernelName) {
  for (const MapSpec &spec : image.maps)
    if (spec.name.substr(0, kKernelNameLength) == kernelName)
      return &spec;
  for (const MapSpec &spec : image.maps)
    if (!spec.initialValue.empty() && kernelName.ends_with(spec.name))
      return &spec;
  return nullptr;
}

void BpftoolComparison::compare(const std::string &objectName) {
  auto image = loadObjectFile(objectPath(objectName));
  ASSERT_TRUE(image) << image.error().message;
  // bpffs refuses names with dots.
  std::string dir = "/sys/fs/bpf/ldrtest_" + std::to_string(getpid()) + "_" +
                    objectName.substr(0, objectName.find('.'));
  removePins(dir);
  CommandResult load = run(bpftool() + " -d prog loadall " + objectPath(objectName) + " " + dir);
  ASSERT_EQ(load.status, 0) << load.output;

  // Programs: names and types.
  std::set<std::pair<std::string, std::string>> kernelPrograms, ourPrograms;
  std::set<int> mapIds;
  for (const auto &entry : fs::directory_iterator(dir)) {
    nlohmann::json program = showJson("prog show pinned " + entry.path().string());
    kernelPrograms.emplace(program["name"], program["type"]);
    for (int id : program.value("map_ids", std::vector<int>{}))
      mapIds.insert(id);
  }
  for (const ProgramImage &program : image->programs)
    ourPrograms.emplace(program.name.substr(0, kKernelNameLength),
                        std::string(ir::programTypeName(program.type)));
  EXPECT_EQ(ourPrograms, kernelPrograms);

  // Maps: every map the programs use, attribute by attribute.
  std::set<std::string> compared;
  for (int id : mapIds) {
    nlohmann::json map = showJson("map show id " + std::to_string(id));
    std::string name = map["name"];
    const MapSpec *spec = matchMap(*image, name);
    ASSERT_NE(spec, nullptr) << "kernel map " << name << " is not among ours";
    SCOPED_TRACE("map " + spec->name);
    compared.insert(spec->name);
    const ir::MapTypeInfo *type = ir::findMapType(spec->type);
    ASSERT_NE(type, nullptr);
    EXPECT_EQ(std::string(type->name), map["type"]);
    EXPECT_EQ(spec->keySize, map["bytes_key"]);
    EXPECT_EQ(spec->valueSize, map["bytes_value"]);
    EXPECT_EQ(spec->maxEntries, map["max_entries"]);
    uint32_t kernelFlags = map["flags"];
    // bpftool's bundled libbpf makes every global-data map mmap()-able; the
    // system libbpf 1.1 only those with visible globals, as our loader does.
    uint32_t ignored = spec->initialValue.empty() ? 0 : kMapFlagMmapable;
    EXPECT_EQ(spec->flags & ~ignored, kernelFlags & ~ignored);
  }
  EXPECT_EQ(compared.size(), image->maps.size()) << "maps the programs do not use are not compared";

  // Initial slots, as libbpf's debug log reports filling them.
  std::set<std::tuple<std::string, uint32_t, std::string>> kernelSlots, ourSlots;
  std::regex slotLine(R"(map '([^']+)' slot \[(\d+)\] points to (?:map|prog) '([^']+)')");
  for (std::sregex_iterator it(load.output.begin(), load.output.end(), slotLine), end; it != end;
       ++it)
    kernelSlots.emplace((*it)[1], std::stoul((*it)[2]), (*it)[3]);
  for (const MapInMapInit &init : image->mapInMapInits)
    ourSlots.emplace(image->maps[init.outer].name, init.slot, image->maps[init.inner].name);
  for (const ProgArrayInit &init : image->progArrayInits)
    ourSlots.emplace(image->maps[init.map].name, init.slot, image->programs[init.program].name);
  EXPECT_EQ(ourSlots, kernelSlots);
  removePins(dir);
}

TEST_F(BpftoolComparison, SeveralProgramsAndSubprograms) { compare("multi_prog.clang.o"); }

TEST_F(BpftoolComparison, BtfMapsWithEveryAttributeAndInitialSlots) {
  removePins(kPinnedByName);
  compare("map_attrs.clang.o");
  removePins(kPinnedByName);
}

TEST_F(BpftoolComparison, GlobalData) { compare("global_data.clang.o"); }

} // namespace
} // namespace ebpfc::runtime
