// Compiled code is shared: by every load of the same bytecode in this
// process while one is alive, and through the disk cache by later loads
// (and processes) when a cache directory is set.
#include "JitTestSupport.h"

#include <filesystem>
#include <unistd.h>

namespace ebpfc::runtime::testing {
namespace {

TEST(JitCache, LoadsOfTheSameProgramShareCompiledCode) {
  FakeEnvironment first, second;
  first.setPseudoValue(op::kPseudoMapIdxValue, 0, 0x1000);
  second.setPseudoValue(op::kPseudoMapIdxValue, 0, 0x2000);
  const char *text = "ld_pseudo r0, 6, 0, 0\nr0 += 0x31\nexit";
  auto a = loadText(trustedJit(), first, text);
  auto b = loadText(trustedJit(), second, text);
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(jitCompileInfo(*a)->fromMemoryCache);
  EXPECT_GT(jitCompileInfo(*a)->compileMilliseconds, 0);
  EXPECT_TRUE(jitCompileInfo(*b)->fromMemoryCache);
  // Shared code, each load's own values.
  std::vector<uint8_t> none;
  EXPECT_EQ(runWithMemory(trustedJit(), *a, none).returnValue, 0x1031u);
  EXPECT_EQ(runWithMemory(trustedJit(), *b, none).returnValue, 0x2031u);
  // The checked variant is other code.
  auto c = loadText(checkedJit(), first, text);
  EXPECT_FALSE(jitCompileInfo(*c)->fromMemoryCache);
  // Once every load is gone, the code is released and compiled anew.
  a.reset();
  b.reset();
  auto d = loadText(trustedJit(), first, text);
  EXPECT_FALSE(jitCompileInfo(*d)->fromMemoryCache);
  EXPECT_EQ(runWithMemory(trustedJit(), *d, none).returnValue, 0x1031u);
  EXPECT_FALSE(jitCompileInfo(*loadText(Interpreter(), first, text)).has_value());
}

TEST(JitCache, TheDiskCacheServesLaterLoads) {
  const std::filesystem::path directory =
      std::filesystem::temp_directory_path() / ("ebpfc-jit-cache-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(directory);
  setJitCacheDirectory(directory);
  FakeEnvironment environment;
  const char *text = "r0 = 0x2a\nr0 *= 0x3\nexit"; // no other test compiles this
  auto first = loadText(checkedJit(), environment, text);
  ASSERT_TRUE(first);
  EXPECT_FALSE(jitCompileInfo(*first)->fromDiskCache);
  first.reset();
  auto second = loadText(checkedJit(), environment, text);
  ASSERT_TRUE(second);
  EXPECT_TRUE(jitCompileInfo(*second)->fromDiskCache);
  std::vector<uint8_t> none;
  EXPECT_EQ(runWithMemory(checkedJit(), *second, none).returnValue, 126u);
  size_t files = 0;
  for (const auto &entry : std::filesystem::directory_iterator(directory))
    files += entry.path().extension() == ".o";
  EXPECT_EQ(files, 1u);
  setJitCacheDirectory("");
  std::filesystem::remove_all(directory);
}

} // namespace
} // namespace ebpfc::runtime::testing
