#include "ir/KernelVersion.h"
#include "ir/Target.h"

#include <gtest/gtest.h>

using namespace ebpfc::ir;

TEST(KernelVersion, ParsesMajorMinorAndIgnoresPatch) {
  EXPECT_EQ(KernelVersion::parse("5.10"), (KernelVersion{5, 10}));
  EXPECT_EQ(KernelVersion::parse("6.1.55"), (KernelVersion{6, 1}));
  EXPECT_EQ(KernelVersion::parse("4.19")->str(), "4.19");
}

TEST(KernelVersion, RejectsMalformed) {
  for (const char *bad : {"", "6", "6.", ".1", "6.x", "6.1.", "6.1-rc1", "v6.1"})
    EXPECT_FALSE(KernelVersion::parse(bad)) << bad;
}

TEST(KernelVersion, OrdersNumerically) {
  EXPECT_LT((KernelVersion{4, 9}), (KernelVersion{4, 19}));
  EXPECT_LT((KernelVersion{4, 19}), (KernelVersion{5, 0}));
}

TEST(Target, FeaturesFollowKernelVersion) {
  Target old = Target::forKernel({4, 19});
  EXPECT_EQ(old.isa, IsaLevel::V2);
  EXPECT_FALSE(old.boundedLoops);
  EXPECT_EQ(old.insnLimit, 4096u);
  EXPECT_EQ(Target::forKernel({5, 1}).insnLimit, 4096u);
  EXPECT_EQ(Target::forKernel({5, 2}).insnLimit, 1000000u);
  EXPECT_FALSE(Target::forKernel({5, 2}).boundedLoops);
  EXPECT_TRUE(Target::forKernel({5, 3}).boundedLoops);
  EXPECT_EQ(Target::forKernel({6, 1}).isa, IsaLevel::V3);
  EXPECT_EQ(Target::forKernel({6, 6}).isa, IsaLevel::V4);
  EXPECT_EQ(Target::forKernel({4, 9}).isa, IsaLevel::V1);
}

TEST(Target, DefaultIsDocumentedKernel) {
  Target t;
  EXPECT_EQ(t.kernel, (KernelVersion{6, 1}));
  EXPECT_EQ(t.isa, Target::forKernel(t.kernel).isa);
}

TEST(Target, IsaNames) {
  EXPECT_EQ(parseIsa("generic"), IsaLevel::V1);
  EXPECT_EQ(parseIsa("v4"), IsaLevel::V4);
  EXPECT_FALSE(parseIsa("v5"));
  EXPECT_EQ(isaName(IsaLevel::V3), "v3");
}
