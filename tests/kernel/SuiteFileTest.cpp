// The golden-suite format: what loadSuite() accepts, the errors it gives for
// bad files (file, line and JSON pointer each time), how results are judged
// against expectations, and that recorded files read back unchanged.
#include "suites/CaseCheck.h"
#include "suites/SuiteFile.h"
#include "suites/SuiteJsonWriter.h"
#include "suites/SuiteRecorder.h"

#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <filesystem>
#include <fstream>

namespace ebpfc::suites {
namespace {

namespace fs = std::filesystem;

class SuiteFileTest : public testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::path(testing::TempDir()) / ("suite_file_test_" + std::to_string(getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "prog.c") << "int x;\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string &text) {
    fs::path path = dir_ / "prog.suite.json";
    std::ofstream(path) << text;
    return path;
  }
  Suite load(const std::string &text) {
    auto loaded = loadSuite(write(text));
    if (auto *error = std::get_if<SuiteError>(&loaded)) {
      ADD_FAILURE() << error->toString();
      return {};
    }
    return std::get<Suite>(loaded);
  }
  SuiteError loadError(const std::string &text) {
    auto loaded = loadSuite(write(text));
    if (!std::holds_alternative<SuiteError>(loaded)) {
      ADD_FAILURE() << "the suite loaded, an error was expected";
      return {};
    }
    return std::get<SuiteError>(loaded);
  }
  // A suite whose single case is `caseBody` (the text inside its braces).
  static std::string withCase(const std::string &caseBody) {
    return "{\n"
           "  \"format\": \"ebpfc-suite/1\",\n"
           "  \"program\": {\"source\": \"prog.c\", \"name\": \"prog\"},\n"
           "  \"cases\": [\n"
           "    {\n" +
           caseBody +
           "\n"
           "    }\n"
           "  ]\n"
           "}\n";
  }

  fs::path dir_;
};

TEST_F(SuiteFileTest, ReadsAFullSuite) {
  Suite suite = load(R"({
  "format": "ebpfc-suite/1",
  "comment": "a suite",
  "program": {"source": "prog.c", "flags": ["-O1"], "section": "xdp"},
  "maps": {
    "counters": [{"key": "00000000", "value": "01 00 00 00 00 00 00 00"}],
    "percpu": [{"key": "01000000", "cpus": {"1": "ff"}}]
  },
  "cases": [
    {
      "name": "first",
      "packet": ["02 00 00 00 00 01", "0800"],
      "context": {"ingress_ifindex": 1, "mark": 7},
      "maps": {"counters": [{"key": "01000000", "value": "02"}]},
      "expect": {
        "return": "XDP_TX",
        "packet": ["02 00 00 00 00 ** 08 0*"],
        "context": {"mark": 16},
        "maps": {"counters": [{"key": "02000000", "absent": true}, {"key": "00000000", "value": "**"}]},
        "trace": ["hello"],
        "ringbuf": {"events": ["0a00"]}
      }
    },
    {"name": "second", "packet": "0102", "expect": {"return": -1}}
  ]
})");
  EXPECT_EQ(suite.comment, "a suite");
  EXPECT_EQ(suite.program.source, (dir_ / "prog.c").lexically_normal());
  EXPECT_EQ(suite.program.flags, std::vector<std::string>{"-O1"});
  EXPECT_EQ(suite.program.entry, "xdp");
  ASSERT_EQ(suite.maps.size(), 2u);
  EXPECT_EQ(suite.maps[0].entries[0].value->bytes, (Bytes{1, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(suite.maps[1].entries[0].cpuValues.at(1).bytes, Bytes{0xff});
  ASSERT_EQ(suite.cases.size(), 2u);
  const CaseSpec &first = suite.cases[0];
  EXPECT_EQ(first.packet, (Bytes{2, 0, 0, 0, 0, 1, 8, 0}));
  EXPECT_EQ(first.packetWhere.line, 12u);
  ASSERT_EQ(first.context.size(), 2u);
  EXPECT_EQ(first.context[1].field, "mark");
  EXPECT_EQ(first.context[1].value, 7u);
  EXPECT_EQ(*first.expect.returnValue, 3u);
  EXPECT_TRUE(first.expect.packet->matches({2, 0, 0, 0, 0, 0x55, 8, 0x0f}));
  EXPECT_FALSE(first.expect.packet->matches({2, 0, 0, 0, 0, 0x55, 8, 0x1f}));
  EXPECT_TRUE(first.expect.maps[0].entries[0].absent);
  EXPECT_EQ(first.expect.trace, std::vector<std::string>{"hello"});
  EXPECT_EQ(first.expect.ringBuffers[0].records[0].bytes, (Bytes{0x0a, 0}));
  EXPECT_EQ(*suite.cases[1].expect.returnValue, 0xffffffffu);
  EXPECT_EQ(suite.cases[1].packet, (Bytes{1, 2}));
}

TEST_F(SuiteFileTest, DefaultsToO2AndDebugInfo) {
  Suite suite = load(withCase(R"(      "name": "a", "packet": "00")"));
  EXPECT_EQ(suite.program.flags, (std::vector<std::string>{"-O2", "-g"}));
  EXPECT_FALSE(suite.cases[0].hasExpectations);
}

TEST_F(SuiteFileTest, BadHexNamesFileLineAndPointer) {
  SuiteError error = loadError(withCase(R"(      "name": "a",
      "packet": [
        "02 00 00 00 00 01",
        "08 0g"
      ])"));
  EXPECT_EQ(error.where.line, 9u);
  EXPECT_EQ(error.where.pointer, "/cases/0/packet/1");
  EXPECT_NE(error.message.find("'g' is not a hex digit"), std::string::npos) << error.message;
  std::string text = error.toString();
  EXPECT_EQ(text.rfind((dir_ / "prog.suite.json").string() + ":9: error: /cases/0/packet/1: ", 0), 0u) << text;
}

TEST_F(SuiteFileTest, RejectsOddDigitsAndSplitBytes) {
  SuiteError error = loadError(withCase(R"(      "name": "a", "packet": "0 800")"));
  EXPECT_EQ(error.where.pointer, "/cases/0/packet");
  EXPECT_NE(error.message.find("odd number of hex digits"), std::string::npos) << error.message;
}

TEST_F(SuiteFileTest, RejectsWildcardsInInputs) {
  SuiteError error = loadError(withCase(R"(      "name": "a", "packet": "08 **")"));
  EXPECT_NE(error.message.find("wildcards are allowed in expected bytes only"), std::string::npos) << error.message;
}

TEST_F(SuiteFileTest, UnknownFieldNamesTheField) {
  SuiteError error = loadError(withCase(R"(      "name": "a",
      "packet": "00",
      "expected": {"return": 1})"));
  EXPECT_EQ(error.where.line, 8u);
  EXPECT_EQ(error.where.pointer, "/cases/0/expected");
  EXPECT_NE(error.message.find("unknown field \"expected\""), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("\"expect\""), std::string::npos) << "lists the allowed fields: " << error.message;
}

TEST_F(SuiteFileTest, MissingSourceFile) {
  SuiteError error = loadError(R"({
  "format": "ebpfc-suite/1",
  "program": {
    "source": "missing.c"
  },
  "cases": []
})");
  EXPECT_EQ(error.where.line, 4u);
  EXPECT_EQ(error.where.pointer, "/program/source");
  EXPECT_NE(error.message.find("\"missing.c\" does not exist"), std::string::npos) << error.message;
}

TEST_F(SuiteFileTest, MissingRequiredFieldPointsAtItsObject) {
  SuiteError error = loadError(withCase(R"(      "packet": "00")"));
  EXPECT_EQ(error.where.pointer, "/cases/0");
  EXPECT_EQ(error.where.line, 5u);
  EXPECT_NE(error.message.find("missing field \"name\""), std::string::npos) << error.message;
}

TEST_F(SuiteFileTest, SyntaxErrorHasLine) {
  SuiteError error = loadError("{\n  \"format\": \"ebpfc-suite/1\",\n  \"cases\": [\n    {\"name\": }\n  ]\n}\n");
  EXPECT_EQ(error.where.line, 4u);
  EXPECT_NE(error.message.find("invalid JSON"), std::string::npos) << error.message;
}

TEST_F(SuiteFileTest, DuplicateKeyIsAnError) {
  SuiteError error = loadError(withCase(R"(      "name": "a",
      "name": "b", "packet": "00")"));
  EXPECT_EQ(error.where.line, 7u);
  EXPECT_NE(error.message.find("duplicate key \"name\""), std::string::npos) << error.message;
}

TEST_F(SuiteFileTest, UnsupportedFormatVersion) {
  SuiteError error = loadError(R"({"format": "ebpfc-suite/2", "program": {"source": "prog.c"}, "cases": []})");
  EXPECT_EQ(error.where.pointer, "/format");
  EXPECT_NE(error.message.find("unsupported format"), std::string::npos) << error.message;
}

TEST_F(SuiteFileTest, UnknownContextFieldAndReturnName) {
  SuiteError context = loadError(withCase(R"(      "name": "a", "packet": "00", "context": {"markk": 1})"));
  EXPECT_EQ(context.where.pointer, "/cases/0/context/markk");
  EXPECT_NE(context.message.find("unknown context field \"markk\""), std::string::npos) << context.message;

  SuiteError ret = loadError(withCase(R"(      "name": "a", "packet": "00", "expect": {"return": "XDP_DORP"})"));
  EXPECT_EQ(ret.where.pointer, "/cases/0/expect/return");
  EXPECT_NE(ret.message.find("unknown return value name \"XDP_DORP\""), std::string::npos) << ret.message;
}

TEST_F(SuiteFileTest, DuplicateCaseNamesAndKeys) {
  SuiteError names = loadError(R"({"format": "ebpfc-suite/1", "program": {"source": "prog.c"},
  "cases": [{"name": "a", "packet": "00"},
            {"name": "a", "packet": "00"}]})");
  EXPECT_EQ(names.where.line, 3u);
  EXPECT_EQ(names.where.pointer, "/cases/1/name");

  SuiteError keys = loadError(R"({"format": "ebpfc-suite/1", "program": {"source": "prog.c"},
  "maps": {"m": [{"key": "01", "value": "00"}, {"key": "01", "value": "02"}]}, "cases": []})");
  EXPECT_EQ(keys.where.pointer, "/maps/m/1/key");
  EXPECT_NE(keys.message.find("appears twice"), std::string::npos) << keys.message;
}

TEST_F(SuiteFileTest, MapEntriesNeedExactlyOneValueKind) {
  SuiteError both = loadError(R"({"format": "ebpfc-suite/1", "program": {"source": "prog.c"},
  "maps": {"m": [{"key": "01", "value": "00", "cpus": {"0": "00"}}]}, "cases": []})");
  EXPECT_EQ(both.where.pointer, "/maps/m/0");
  SuiteError absentInInput = loadError(R"({"format": "ebpfc-suite/1", "program": {"source": "prog.c"},
  "maps": {"m": [{"key": "01", "absent": true}]}, "cases": []})");
  EXPECT_EQ(absentInInput.where.pointer, "/maps/m/0/absent");
}

TEST_F(SuiteFileTest, ReadsPacketsFromPcap) {
  pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
  pcap_dumper_t *dumper = pcap_dump_open(dead, (dir_ / "packets.pcap").c_str());
  ASSERT_NE(dumper, nullptr);
  for (uint8_t first : {0x11, 0x22}) {
    const u_char bytes[] = {first, 0, 0, 0};
    pcap_pkthdr header = {};
    header.caplen = header.len = sizeof(bytes);
    pcap_dump(reinterpret_cast<u_char *>(dumper), &header, bytes);
  }
  pcap_dump_close(dumper);
  pcap_close(dead);

  Suite suite = load(withCase(R"(      "name": "a", "packet": {"pcap": "packets.pcap", "index": 1})"));
  EXPECT_EQ(suite.cases[0].packet, (Bytes{0x22, 0, 0, 0}));

  SuiteError past = loadError(withCase(R"(      "name": "a",
      "packet": {"pcap": "packets.pcap", "index": 2})"));
  EXPECT_EQ(past.where.line, 7u);
  EXPECT_EQ(past.where.pointer, "/cases/0/packet/index");
  EXPECT_NE(past.message.find("past the end of packets.pcap (2 packets"), std::string::npos) << past.message;

  SuiteError missing = loadError(withCase(R"(      "name": "a", "packet": {"pcap": "none.pcap"})"));
  EXPECT_EQ(missing.where.pointer, "/cases/0/packet/pcap");
}

TEST_F(SuiteFileTest, CheckCaseReportsEveryMismatch) {
  Suite suite = load(withCase(R"(      "name": "a", "packet": "01 02",
      "expect": {"return": "XDP_DROP", "packet": "01 0*", "context": {"mark": 3},
                 "maps": {"m": [{"key": "00", "value": "05"}, {"key": "01", "absent": true}]},
                 "trace": ["x"]})"));
  const CaseSpec &spec = suite.cases[0];
  CaseResult good;
  good.returnValue = 1;
  good.packet = {1, 0x0e};
  good.context = {{"mark", 3}};
  good.mapsAfter["m"].entries = {{{0}, {{5}}}};
  good.trace = std::vector<std::string>{"x"};
  EXPECT_TRUE(checkCase(spec, spec.packet, good).empty());

  CaseResult bad = good;
  bad.returnValue = 2;
  bad.packet = {1, 0x12};
  bad.context["mark"] = 4;
  bad.mapsAfter["m"].entries = {{{0}, {{6}}}, {{1}, {{0}}}};
  bad.trace = std::vector<std::string>{};
  bad.ringBuffers["events"] = {{1}};
  std::vector<std::string> problems = checkCase(spec, spec.packet, bad);
  ASSERT_EQ(problems.size(), 7u);
  EXPECT_EQ(problems[0], "return value: expected XDP_DROP (1), got XDP_PASS (2)");
  EXPECT_NE(problems[1].find("first difference at byte 1"), std::string::npos) << problems[1];
  EXPECT_EQ(problems[2], "context mark: expected 3, got 4");
  EXPECT_EQ(problems[3], "map \"m\" key 00: expected value 05, got 06");
  EXPECT_EQ(problems[4], "map \"m\" key 01: expected absent, but it is present with value 00");
  EXPECT_EQ(problems[5], "trace output: expected \"x\", got nothing");
  EXPECT_EQ(problems[6], "ring buffer \"events\": expected 0 records, got 1");
}

TEST_F(SuiteFileTest, UnchangedPacketIsTheDefaultExpectation) {
  Suite suite = load(withCase(R"(      "name": "a", "packet": "01 02", "expect": {"return": 2})"));
  CaseResult result;
  result.returnValue = 2;
  result.packet = {1, 3};
  std::vector<std::string> problems = checkCase(suite.cases[0], suite.cases[0].packet, result);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].rfind("output packet (expected unchanged)", 0), 0u) << problems[0];
}

TEST_F(SuiteFileTest, RecordedSuiteReadsBackAndKeepsPacketLayout) {
  std::string text = withCase(R"(      "name": "encapsulated",
      "packet": ["02 00 00 00 00 01 02 00 00 00 00 02 08 00", "45 00 00 14", "aa bb"])");
  Suite suite = load(text);
  CaseResult result;
  result.returnValue = 3;
  // Four bytes pushed after the Ethernet header, the rest moved back.
  result.packet = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 8, 0, 9, 9, 9, 9, 0x45, 0, 0, 0x14, 0xaa, 0xbb};
  result.mapsBefore["routes"].entries = {{{1}, {{2}}}};
  result.mapsAfter["routes"].entries = {{{1}, {{2}}}};
  result.mapsAfter["counters"].entries = {{{0}, {{1}}}};
  result.mapsBefore[".rodata"].entries = {{{0, 0, 0, 0}, {{7}}}};
  result.mapsAfter[".rodata"] = result.mapsBefore[".rodata"];
  Json root;
  std::string error;
  ASSERT_TRUE(readSuiteJson(suite, root, error)) << error;
  ProgramWrites writes;
  writes.learnFrom(suite.cases[0], result);
  EXPECT_EQ(writes.maps, std::set<std::string>{"counters"}) << "maps that did not change are not written";
  Json expect = recordExpectations(suite.cases[0], root["cases"][0]["packet"], result, writes);
  EXPECT_EQ(expect.dump(), R"({"return":"XDP_TX","packet":["02 00 00 00 00 01 02 00 00 00 00 02 08 00",)"
                           R"("09 09 09 09","45 00 00 14","aa bb"],"maps":{"counters":[{"key":"00","value":"01"}]}})");
  EXPECT_EQ(Json::parse(writeSuiteJson(root)), root) << "writing must not change the content";
  ASSERT_TRUE(writeRecordedExpectations(suite, {{"encapsulated", expect}}, error)) << error;

  auto again = loadSuite(suite.path);
  ASSERT_TRUE(std::holds_alternative<Suite>(again)) << std::get<SuiteError>(again).toString();
  const CaseSpec &recorded = std::get<Suite>(again).cases[0];
  EXPECT_EQ(*recorded.expect.returnValue, 3u);
  EXPECT_TRUE(recorded.expect.packet->matches(result.packet));
  EXPECT_EQ(recorded.expect.maps[0].map, "counters");
}

TEST_F(SuiteFileTest, RecordsWrittenContextFieldsInEveryCase) {
  Suite suite = load(withCase(R"(      "name": "a", "packet": "01", "context": {"mark": 7})"));
  CaseResult marked, untouched;
  marked.contextKind = untouched.contextKind = ContextKind::Skb;
  marked.context = {{"mark", 32}, {"ifindex", 1}, {"priority", 0}};
  untouched.context = {{"mark", 7}, {"ifindex", 1}, {"priority", 0}};
  marked.packet = untouched.packet = {1};
  ProgramWrites writes;
  writes.learnFrom(suite.cases[0], marked);
  EXPECT_EQ(writes.contextFields, std::set<std::string>{"mark"}) << "ifindex is set by the kernel, not the program";
  Json expect = recordExpectations(suite.cases[0], Json("01"), untouched, writes);
  EXPECT_EQ(expect.dump(), R"({"return":"TC_ACT_OK","context":{"mark":7}})");
}

TEST_F(SuiteFileTest, RecordedPacketKeepsTheInputLinesWhenItsLengthIsUnchanged) {
  Suite suite = load(withCase(R"(      "name": "a",
      "packet": ["00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13", "14 15"])"));
  Json root;
  std::string error;
  ASSERT_TRUE(readSuiteJson(suite, root, error)) << error;
  CaseResult result;
  result.returnValue = 2;
  result.packet = suite.cases[0].packet;
  result.packet[21] = 0xff;
  Json expect = recordExpectations(suite.cases[0], root["cases"][0]["packet"], result, {});
  EXPECT_EQ(expect["packet"].dump(), R"(["00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13","14 ff"])");

  // A pcap input has no lines to follow: 16 bytes per line.
  Json fromPcap = recordExpectations(suite.cases[0], Json::object(), result, {});
  EXPECT_EQ(fromPcap["packet"].dump(), R"(["00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f","10 11 12 13 14 ff"])");
}

TEST(SuiteJsonWriter, ShortListsInlineHexLinesAndEntriesOnePerLine) {
  Json root = Json::parse(R"({"flags": ["-O2", "-g"], "packet": ["02 00 00 00 00 01 02 00 00 00 00 02 08 00"],
                             "maps": {"m": [{"key": "00", "value": "01"}]}})");
  EXPECT_EQ(writeSuiteJson(root), "{\n"
                                  "  \"flags\": [\"-O2\", \"-g\"],\n"
                                  "  \"packet\": [\n"
                                  "    \"02 00 00 00 00 01 02 00 00 00 00 02 08 00\"\n"
                                  "  ],\n"
                                  "  \"maps\": {\n"
                                  "    \"m\": [\n"
                                  "      {\"key\": \"00\", \"value\": \"01\"}\n"
                                  "    ]\n"
                                  "  }\n"
                                  "}\n");
}

} // namespace
} // namespace ebpfc::suites
