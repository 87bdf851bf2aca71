// `ebpfvm test` end to end: JSON and STF suites that pass and fail (the
// failure names file, line and case, and shows the packet bytes that
// differ), JUnit XML, --update, directory discovery, engine agreement, and
// the errors for malformed suites (file and line, non-zero exit).
#include "tests/support/Subprocess.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ebpfc::testing {
namespace {

const std::string kEbpfvm = EBPFVM_PATH;
const std::string kEbpfc = EBPFC_PATH;
const std::string kExamples = std::string(EBPFC_SOURCE_DIR) + "/examples/p4";

// UDP 10.2.3.4 -> 10.0.0.2 (denied by 10/8) and 10.1.3.4 (allowed by 10.1/16).
const std::string kFrom10_2 = "020000000002 020000000001 0800 45000020000140004011 0000 0a020304 0a000002 "
                              "04d20050000c0000 70696e67";
const std::string kFrom10_1 = "020000000002 020000000001 0800 45000020000140004011 0000 0a010304 0a000002 "
                              "04d20050000c0000 70696e67";

class TestCommand : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = makeTempDir("ebpfvm-test");
    writeFile(path("lpm.p4"), readFile(kExamples + "/lpm_filter.p4"));
    writeFile(path("headers.p4"), readFile(kExamples + "/headers.p4"));
  }

  CommandResult ebpfvm(std::vector<std::string> args) {
    args.insert(args.begin(), {kEbpfvm, "test"});
    args.insert(args.end(), {"--ebpfc", kEbpfc, "--no-color", "--no-progress"});
    return runCommand(args, dir_);
  }
  std::string path(const std::string &name) const { return dir_ + "/" + name; }

  std::string dir_;
};

std::string blocklistStf(const std::string &expectations) {
  return "# 10/8 denied, 10.1/16 allowed again\n"
         "add Blocklist_blocked key.field0:0x0a/8 Blocklist_deny()\n"
         "add Blocklist.blocked 5 key.field0:0x010a/16 Blocklist_allow()\n"
         "packet 0 " + kFrom10_2 + "\n"
         "packet 0 " + kFrom10_1 + "\n" + expectations;
}

TEST_F(TestCommand, StfSuitePasses) {
  writeFile(path("lpm.stf"), blocklistStf("expect 0 020000000002 020000000001 0800 4500**20\n"
                                          "setdefault Blocklist_blocked Blocklist_deny()\n"
                                          "packet 0 " + kFrom10_1 + "\n"
                                          "expect 0 " + kFrom10_1 + " $\n"));
  CommandResult result = ebpfvm({"lpm.stf"});
  EXPECT_EQ(result.exitCode, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("PASS lpm.stf (1 case, interp)"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("1 suite, 1 case: 1 passed, 0 failed"), std::string::npos) << result.out;
}

TEST_F(TestCommand, StfMismatchNamesTheLineAndShowsTheBytes) {
  // The second packet comes out unchanged: 0a 01 03 04, not 0a 01 03 05.
  writeFile(path("lpm.stf"),
            blocklistStf("expect 0 020000000002 020000000001 0800 45000020000140004011 0000 0a010305\n"));
  CommandResult result = ebpfvm({"lpm.stf"});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.out.find("FAIL lpm.stf (1 case, interp, 1 failed)"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("lpm.stf:6: packet on port 0 (from line 5) differs"), std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("      - 0010: 00 20 00 01 40 00 40 11 00 00 0a 01 03 05\n"
                            "      + 0010: 00 20 00 01 40 00 40 11 00 00 0a 01 03 04 0a 00\n"
                            "                                                     ^^\n"),
            std::string::npos)
      << result.out;
}

TEST_F(TestCommand, StfCountsPacketsPerPort) {
  // A packet expected but dropped, and one that came but was not expected.
  writeFile(path("lpm.stf"), blocklistStf("expect 0 " + kFrom10_1 + "\nexpect 0 " + kFrom10_2 + "\n"));
  CommandResult result = ebpfvm({"lpm.stf"});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.out.find("lpm.stf:7: expected a packet on port 0, none came"), std::string::npos)
      << result.out;
  writeFile(path("lpm.stf"), blocklistStf(""));
  result = ebpfvm({"lpm.stf"});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.out.find("lpm.stf:5: unexpected packet on port 0"), std::string::npos) << result.out;
}

TEST_F(TestCommand, UpdateRewritesStfExpectations) {
  writeFile(path("lpm.stf"), blocklistStf("expect 0 ffff\n"));
  CommandResult result = ebpfvm({"lpm.stf", "--update"});
  EXPECT_EQ(result.exitCode, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("updated the expectations from interp"), std::string::npos) << result.out;
  EXPECT_EQ(readFile(path("lpm.stf")), blocklistStf("expect 0 " + kFrom10_1 + " $\n"));
  result = ebpfvm({"lpm.stf"});
  EXPECT_EQ(result.exitCode, 0) << result.out;
}

TEST_F(TestCommand, MalformedStfNamesFileAndLine) {
  struct Case {
    std::string script;
    std::string message;
  } cases[] = {
      {"packet 0 0g00\n", "lpm.stf:1: error: 'g' is not a hex digit"},
      {"add Nope_t key.field0:1 Blocklist_deny()\n", "lpm.stf:1: no table 'Nope_t' in the program"},
      {"add Blocklist_blocked key.dst:0x0a/8 Blocklist_deny()\n",
       "lpm.stf:1: table 'Blocklist_blocked' has no key field 'key.dst' (its fields: key.field0)"},
      {"add Blocklist_blocked key.field0:0x0a/8 Blocklist_deny(x:1)\n",
       "lpm.stf:1: action 'Blocklist_deny' has no parameter 'x' (its parameters: none)"},
      {"add Blocklist_blocked key.field0:0x1122334455/8 Blocklist_deny()\n",
       "lpm.stf:1: key field 'key.field0' is 4 bytes wide; 0x1122334455 does not fit"},
  };
  for (const Case &c : cases) {
    writeFile(path("lpm.stf"), c.script);
    CommandResult result = ebpfvm({"lpm.stf"});
    EXPECT_EQ(result.exitCode, 1) << c.script;
    EXPECT_NE(result.out.find(c.message), std::string::npos) << c.script << result.out;
  }
  std::remove(path("lpm.p4").c_str());
  writeFile(path("lpm.stf"), "packet 0 00\n");
  CommandResult result = ebpfvm({"lpm.stf"});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.out.find("lpm.stf: error: no program beside it; an STF suite runs lpm.p4"), std::string::npos)
      << result.out;
}

// Two instances of one sub-control: each has its own table, named by the
// instance path as p4c names it (pipe_src_hosts, pipe_dst_hosts).
const std::string kInstancesP4 = R"(#include <core.p4>
#include <ebpf_model.p4>
#include "headers.p4"

struct headers_t {
    ethernet_h ethernet;
    ipv4_h     ipv4;
}

parser Parse(packet_in packet, out headers_t hdr) {
    state start {
        packet.extract(hdr.ethernet);
        transition select(hdr.ethernet.etherType) {
            ETHERTYPE_IPV4: parse_ipv4;
            default: reject;
        }
    }
    state parse_ipv4 {
        packet.extract(hdr.ipv4);
        transition accept;
    }
}

control Lookup(in ipv4_t address, inout bool pass) {
    action deny() { pass = false; }
    table hosts {
        key = { address : exact; }
        actions = { deny; NoAction; }
        const default_action = NoAction();
        implementation = hash_table(16);
    }
    apply { hosts.apply(); }
}

control pipe(inout headers_t hdr, out bool pass) {
    Lookup() src;
    Lookup() dst;
    apply {
        pass = true;
        src.apply(hdr.ipv4.src, pass);
        dst.apply(hdr.ipv4.dst, pass);
    }
}

ebpfFilter(Parse(), pipe()) main;
)";

TEST_F(TestCommand, SubControlInstancesHaveTheirOwnTables) {
  writeFile(path("instances.p4"), kInstancesP4);
  // 10.2.3.4 is the source of the first packet and the destination of the
  // second; only the `src` instance's table knows it.
  const std::string toIt = "020000000002 020000000001 0800 45000020000140004011 0000 0a000002 0a020304 "
                           "04d20050000c0000 70696e67";
  writeFile(path("instances.stf"), "add pipe_src_hosts key.field0:0x0a020304 pipe_src_deny()\n"
                                   "packet 0 " + kFrom10_2 + "\n"
                                   "packet 0 " + toIt + "\n"
                                   "expect 0 " + toIt + " $\n"
                                   "add pipe_dst_hosts key.field0:0x0a020304 pipe_dst_deny()\n"
                                   "packet 0 " + toIt + "\n");
  CommandResult result = ebpfvm({"instances.stf", "--engine=all"});
  EXPECT_EQ(result.exitCode, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("PASS instances.stf"), std::string::npos) << result.out;
}

// A const entry of a one-key table written as a list of one value, as
// p4c's samples do: `{ 32w0x0a020304 } : deny();`.
TEST_F(TestCommand, OneValueListKeysetInConstEntries) {
  std::string program = kInstancesP4;
  program.replace(program.find("        const default_action = NoAction();"),
                  std::string("        const default_action = NoAction();").size(),
                  "        const entries = { { 32w0x0a020304 } : deny(); }\n"
                  "        const default_action = NoAction();");
  writeFile(path("listkey.p4"), program);
  const std::string toIt = "020000000002 020000000001 0800 45000020000140004011 0000 0a000002 0a020304 "
                           "04d20050000c0000 70696e67";
  // Both instances deny 10.2.3.4, as source and as destination.
  writeFile(path("listkey.stf"), "packet 0 " + kFrom10_2 + "\npacket 0 " + toIt + "\npacket 0 " + kFrom10_1 +
                                     "\nexpect 0 " + kFrom10_1 + " $\n");
  CommandResult result = ebpfvm({"listkey.stf", "--engine=all"});
  EXPECT_EQ(result.exitCode, 0) << result.out << result.err;
}

const std::string kJsonSuite = R"({
  "format": "ebpfc-suite/1",
  "program": {"source": "lpm.p4"},
  "maps": {"Blocklist_blocked": [{"key": "08 00 00 00 0a 00 00 00", "value": "01 00 00 00"}]},
  "cases": [
    {
      "name": "denied",
      "packet": "02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00 00 20 00 01 40 00 40 11 00 00 0a 02 03 04 0a 00 00 02 04 d2 00 50 00 0c 00 00 70 69 6e 67",
      "expect": {"return": "TC_ACT_SHOT"}
    },
    {
      "name": "allowed",
      "packet": "02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00 00 20 00 01 40 00 40 11 00 00 ac 10 00 01 0a 00 00 02 04 d2 00 50 00 0c 00 00 70 69 6e 67",
      "expect": {"return": "TC_ACT_SHOT"}
    }
  ]
}
)";

TEST_F(TestCommand, JsonFailureAndJunit) {
  writeFile(path("lpm.suite.json"), kJsonSuite);
  CommandResult result = ebpfvm({".", "--junit", "report.xml", "-j", "2"});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.out.find("FAIL ./lpm.suite.json (2 cases, interp, 1 failed)\n  FAIL allowed\n"
                            "    ./lpm.suite.json:11: return value: expected TC_ACT_SHOT (2), got TC_ACT_OK (0)"),
            std::string::npos)
      << result.out;
  const std::string xml = readFile(path("report.xml"));
  EXPECT_NE(xml.find("<testsuite name=\"./lpm.suite.json\" tests=\"2\" failures=\"1\" errors=\"0\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testcase name=\"denied\" classname=\"./lpm.suite.json\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<failure message=\"return value: expected TC_ACT_SHOT (2), got TC_ACT_OK (0)\">"),
            std::string::npos)
      << xml;
}

TEST_F(TestCommand, UpdateRecordsJsonExpectations) {
  writeFile(path("lpm.suite.json"), kJsonSuite);
  CommandResult result = ebpfvm({"lpm.suite.json", "--update"});
  EXPECT_EQ(result.exitCode, 0) << result.out << result.err;
  EXPECT_NE(readFile(path("lpm.suite.json")).find("\"return\": \"TC_ACT_OK\""), std::string::npos);
  result = ebpfvm({"lpm.suite.json", "--engine=jit"});
  EXPECT_EQ(result.exitCode, 0) << result.out;
  EXPECT_NE(result.out.find("PASS lpm.suite.json (2 cases, jit)"), std::string::npos) << result.out;
}

TEST_F(TestCommand, AllEnginesAgreeOnTheExamples) {
  CommandResult result = ebpfvm({kExamples + "/lpm_filter.suite.json", "--engine=all"});
  EXPECT_EQ(result.exitCode, 0) << result.out << result.err;
  const bool kernel = result.out.find("the kernel engine is skipped") == std::string::npos;
  EXPECT_NE(result.out.find(kernel ? "interp, jit, kernel)" : "interp, jit)"), std::string::npos) << result.out;
}

TEST_F(TestCommand, UsageErrors) {
  writeFile(path("lpm.stf"), "packet 0 00\n");
  CommandResult result = ebpfvm({});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.err.find("ebpfvm test: error: name suites or directories of them"), std::string::npos);
  result = ebpfvm({"missing.stf"});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.err.find("ebpfvm test: error: missing.stf: no such file or directory"), std::string::npos);
  result = ebpfvm({"lpm.p4"});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.err.find("lpm.p4: not a suite"), std::string::npos);
  result = ebpfvm({".", "--engine=fast"});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.err.find("unknown engine 'fast' (engines: interp, jit, jit-checked, kernel, all)"),
            std::string::npos);
  result = ebpfvm({".", "--engine=all", "--update"});
  EXPECT_EQ(result.exitCode, 2);
}

} // namespace
} // namespace ebpfc::testing
