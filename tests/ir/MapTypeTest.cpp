#include "ir/MapType.h"

#include <gtest/gtest.h>

using namespace ebpfc::ir;

TEST(MapTypes, EveryKernelValueIsKnown) {
  for (uint32_t v = 1; v <= 31; ++v) {
    const MapTypeInfo *info = findMapType(v);
    ASSERT_TRUE(info) << v;
    EXPECT_EQ(static_cast<uint32_t>(info->type), v);
    EXPECT_EQ(findMapType(info->name), info);
    EXPECT_EQ(findMapType(info->enumName), info);
  }
  EXPECT_EQ(findMapType(0u), nullptr);
  EXPECT_EQ(findMapType(32u), nullptr);
}

TEST(MapTypes, Names) {
  EXPECT_EQ(findMapType(static_cast<uint32_t>(MapType::LpmTrie))->enumName, "BPF_MAP_TYPE_LPM_TRIE");
  EXPECT_EQ(findMapType("lru_percpu_hash")->type, MapType::LruPercpuHash);
}
