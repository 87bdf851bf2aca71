// Unit tests of helper-availability run alone after "optimize".
#include "passes/HelperAvailability.h"
#include "tests/passes/PassHarness.h"

#include <gtest/gtest.h>

using namespace ebpfc;
using namespace ebpfc::testing;

namespace {

std::vector<CapturedDiagnostics::Entry> check(const std::string &body, const std::string &kernel = "6.1",
                                              const std::string &license = "GPL") {
  PassHarness h = PassHarness::fromC("#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n" + body +
                                         "\nchar _license[] SEC(\"license\") = \"" + license + "\";\n",
                                     kernel);
  EXPECT_TRUE(h.optimize());
  passes::HelperAvailabilityPass pass;
  bool ok = h.run(pass);
  auto entries = h.diagnostics();
  EXPECT_EQ(ok, entries.empty());
  return entries;
}

} // namespace

TEST(HelperAvailability, AcceptsHelpersTheProgramMayCall) {
  EXPECT_TRUE(check(R"(SEC("xdp") int p(struct xdp_md *c) { return bpf_get_prandom_u32() & 1; })").empty());
}

TEST(HelperAvailability, NamesHelperProgramTypeAndFirstKernel) {
  auto entries = check(R"(SEC("xdp") int p(struct xdp_md *c) {
  return bpf_skb_change_type((void *)c, 0);
})");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].line, 4u);
  EXPECT_EQ(entries[0].message, "helper 'bpf_skb_change_type' is not available to program 'p' of type xdp");
  ASSERT_EQ(entries[0].notes.size(), 1u);
  EXPECT_NE(entries[0].notes[0].find("(since Linux 4.8): sched_cls, sched_act"), std::string::npos);
}

TEST(HelperAvailability, ReportsHelpersTheTargetKernelLacks) {
  auto entries = check(R"(SEC("xdp") int p(struct xdp_md *c) { return bpf_ktime_get_boot_ns() & 1; })", "5.4");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].message, "helper 'bpf_ktime_get_boot_ns' needs Linux 5.8, but the target kernel is 5.4");
}

TEST(HelperAvailability, FollowsBpfToBpfCallsAndCallbacks) {
  auto entries = check(R"(static __attribute__((noinline)) int sub(void *c) { return bpf_skb_change_type(c, 0); }
static long step(__u32 i, void *c) { return bpf_skb_change_type(c, 1); }
SEC("xdp") int p(struct xdp_md *c) { bpf_loop(4, step, c, 0); return sub(c); })");
  ASSERT_EQ(entries.size(), 2u);
  for (auto &e : entries)
    EXPECT_EQ(e.notes.front().find("is called by program 'p'") != std::string::npos, true) << e.message;
}

TEST(HelperAvailability, ReportsUnknownIdsAndGplOnlyHelpers) {
  auto unknown = check(R"(static long (*made_up)(void) = (void *)250;
SEC("xdp") int p(struct xdp_md *c) { return made_up(); })");
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_EQ(unknown[0].message, "call to unknown helper function #250");

  auto gpl = check(R"(SEC("xdp") int p(struct xdp_md *c) { bpf_printk("x"); return 2; })", "6.1", "MIT");
  ASSERT_EQ(gpl.size(), 1u);
  EXPECT_EQ(gpl[0].message, "helper 'bpf_trace_printk' is GPL-only, but the license \"MIT\" is not GPL-compatible");
}

TEST(HelperAvailability, KnowsTheKernelsGplCompatibleLicenses) {
  for (const char *license : {"GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL",
                              "Dual MPL/GPL"})
    EXPECT_TRUE(passes::isGplCompatibleLicense(license)) << license;
  for (const char *license : {"", "MIT", "BSD", "gpl", "Proprietary"})
    EXPECT_FALSE(passes::isGplCompatibleLicense(license)) << license;
}
