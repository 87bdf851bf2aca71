#include "ir/ProgramType.h"

#include <gtest/gtest.h>

using namespace ebpfc::ir;

TEST(SectionRules, ExactNames) {
  ASSERT_TRUE(findSectionRule("xdp"));
  EXPECT_EQ(findSectionRule("xdp")->type, ProgramType::Xdp);
  EXPECT_EQ(findSectionRule("tc")->type, ProgramType::SchedCls);
  EXPECT_EQ(findSectionRule("classifier")->type, ProgramType::SchedCls);
  EXPECT_EQ(findSectionRule("action")->type, ProgramType::SchedAct);
  EXPECT_EQ(findSectionRule("socket")->type, ProgramType::SocketFilter);
}

TEST(SectionRules, ExactNamesDoNotMatchPrefixes) {
  // libbpf 1.x no longer accepts "xdp_foo" or "tc/ingress".
  EXPECT_EQ(findSectionRule("xdp_drop"), nullptr);
  EXPECT_EQ(findSectionRule("tc/ingress"), nullptr);
  EXPECT_EQ(findSectionRule("socket1"), nullptr);
}

TEST(SectionRules, PlusPatternsTakeExtrasAfterSlash) {
  EXPECT_EQ(findSectionRule("kprobe/do_sys_open")->type, ProgramType::Kprobe);
  EXPECT_EQ(findSectionRule("kprobe")->type, ProgramType::Kprobe);
  EXPECT_EQ(findSectionRule("kprobex"), nullptr);
  EXPECT_EQ(findSectionRule("tracepoint/syscalls/sys_enter_open")->type, ProgramType::Tracepoint);
}

TEST(SectionRules, AttachTypesAndOrder) {
  const SectionRule *devmap = findSectionRule("xdp/devmap");
  ASSERT_TRUE(devmap);
  EXPECT_EQ(devmap->expectedAttachType, 33u); // BPF_XDP_DEVMAP
  EXPECT_EQ(findSectionRule("xdp")->expectedAttachType, 37u); // BPF_XDP
  EXPECT_EQ(findSectionRule("cgroup_skb/ingress")->type, ProgramType::CgroupSkb);
  EXPECT_TRUE(findSectionRule("lsm.s/file_open")->sleepable);
}

TEST(SectionRules, SuggestsLikelyNames) {
  auto guesses = suggestSections("xdp_drop");
  ASSERT_FALSE(guesses.empty());
  EXPECT_EQ(guesses.front(), "xdp");
  guesses = suggestSections("clasifier");
  ASSERT_FALSE(guesses.empty());
  EXPECT_EQ(guesses.front(), "classifier");
  EXPECT_TRUE(suggestSections("completely_unrelated_name").empty());
}

TEST(ProgramTypes, NamesRoundTrip) {
  for (unsigned i = 0; i < kProgramTypeCount; ++i) {
    auto type = static_cast<ProgramType>(i);
    EXPECT_EQ(programTypeFromName(programTypeName(type)), type);
  }
  EXPECT_EQ(programTypeName(ProgramType::SchedCls), "sched_cls");
}

TEST(ProgramTypeSet, Membership) {
  ProgramTypeSet net{ProgramType::Xdp, ProgramType::SchedCls};
  EXPECT_TRUE(net.contains(ProgramType::Xdp));
  EXPECT_FALSE(net.contains(ProgramType::Kprobe));
  EXPECT_TRUE(ProgramTypeSet::all().contains(ProgramType::Syscall));
  EXPECT_FALSE(ProgramTypeSet::all().contains(ProgramType::Unspec));
  EXPECT_FALSE((ProgramTypeSet::all() - net).contains(ProgramType::Xdp));
}
