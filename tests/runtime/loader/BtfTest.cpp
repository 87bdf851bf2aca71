// The .BTF and .BTF.ext parsers on hand-built sections: queries on valid
// input, and a clear error for each way the bytes can lie.
#include "runtime/loader/Btf.h"
#include "runtime/loader/BtfExt.h"

#include <gtest/gtest.h>

#include <cstring>

namespace ebpfc::runtime {
namespace {

// Builds .BTF bytes type by type.
class BtfBuilder {
public:
  uint32_t name(const std::string &text) {
    uint32_t offset = static_cast<uint32_t>(strings_.size());
    strings_ += text;
    strings_ += '\0';
    return offset;
  }
  // A type header plus kind-specific words; returns the new type id.
  uint32_t add(BtfKind kind, uint32_t nameOff, uint32_t vlen, uint32_t sizeOrType,
               std::vector<uint32_t> extra = {}, bool kindFlag = false) {
    words_.push_back(nameOff);
    words_.push_back(vlen | static_cast<uint32_t>(kind) << 24 | (kindFlag ? 1u << 31 : 0));
    words_.push_back(sizeOrType);
    words_.insert(words_.end(), extra.begin(), extra.end());
    return ++count_;
  }
  uint32_t addInt(const std::string &typeName, uint32_t size) {
    return add(BtfKind::Int, name(typeName), 0, size, {size * 8});
  }

  std::vector<uint8_t> build() const {
    std::vector<uint8_t> out(24);
    uint32_t typeLength = static_cast<uint32_t>(words_.size() * 4);
    uint32_t header[6] = {0x0001eb9f, 24,         0,
                          typeLength, typeLength, static_cast<uint32_t>(strings_.size())};
    std::memcpy(out.data(), header, sizeof header);
    out.resize(24 + typeLength);
    std::memcpy(out.data() + 24, words_.data(), typeLength);
    out.insert(out.end(), strings_.begin(), strings_.end());
    return out;
  }

private:
  std::vector<uint32_t> words_;
  std::string strings_ = std::string(1, '\0');
  uint32_t count_ = 0;
};

void patch32(std::vector<uint8_t> &bytes, size_t offset, uint32_t value) {
  std::memcpy(bytes.data() + offset, &value, 4);
}

std::string errorOf(const std::vector<uint8_t> &bytes) {
  auto btf = Btf::parse(bytes, "t.o");
  return btf ? std::string("<parsed>") : btf.error().message;
}

// struct pair { int a; unsigned long long b[2]; }; typedef const struct pair pair_t;
BtfBuilder sampleTypes() {
  BtfBuilder b;
  uint32_t intId = b.addInt("int", 4);                              // 1
  uint32_t u64 = b.addInt("unsigned long long", 8);                 // 2
  uint32_t array = b.add(BtfKind::Array, 0, 0, 0, {u64, intId, 2}); // 3
  b.add(BtfKind::Struct, b.name("pair"), 2, 24,
        {b.name("a"), intId, 0, b.name("b"), array, 64});            // 4
  uint32_t constPair = b.add(BtfKind::Const, 0, 0, 4);               // 5
  b.add(BtfKind::Typedef, b.name("pair_t"), 0, constPair);           // 6
  b.add(BtfKind::Ptr, 0, 0, 6);                                      // 7
  b.add(BtfKind::Var, b.name("global_pair"), 0, 6, {kBtfVarGlobal}); // 8
  b.add(BtfKind::Datasec, b.name(".data"), 1, 24, {8, 0, 24});       // 9
  b.add(BtfKind::Fwd, b.name("opaque"), 0, 0);                       // 10
  return b;
}

TEST(Btf, ParsesTypesAndResolvesSizes) {
  auto btf = Btf::parse(sampleTypes().build(), "t.o");
  ASSERT_TRUE(btf) << btf.error().message;
  EXPECT_EQ(btf->typeCount(), 11u);
  EXPECT_EQ(btf->type(4).kind, BtfKind::Struct);
  EXPECT_EQ(btf->name(btf->type(4)), "pair");
  ASSERT_EQ(btf->type(4).members.size(), 2u);
  EXPECT_EQ(btf->type(4).members[1].bitOffset, 64u);
  std::string why;
  EXPECT_EQ(btf->resolveSize(3, why), 16u);
  EXPECT_EQ(btf->resolveSize(6, why), 24u);
  EXPECT_EQ(btf->resolveSize(7, why), 8u);
  EXPECT_EQ(btf->resolveSize(8, why), 24u);
  EXPECT_FALSE(btf->resolveSize(10, why));
  EXPECT_EQ(why, "FWD 'opaque' [10] has no size");
  EXPECT_FALSE(btf->resolveSize(0, why));
  EXPECT_EQ(btf->skipModifiersAndTypedefs(6), 4u);
  EXPECT_EQ(btf->findDatasec(".data"), 9u);
  EXPECT_FALSE(btf->findDatasec(".bss"));
  EXPECT_EQ(btf->describe(4), "STRUCT 'pair' [4]");
  EXPECT_EQ(btf->describe(3), "ARRAY [3]");
  EXPECT_FALSE(btf->stringAt(100000));
}

TEST(Btf, TypedefCyclesAndHugeArraysHaveNoSize) {
  BtfBuilder b;
  b.add(BtfKind::Typedef, b.name("a"), 0, 2);                                // 1 -> 2
  b.add(BtfKind::Typedef, b.name("b"), 0, 1);                                // 2 -> 1
  uint32_t intId = b.addInt("int", 4);                                       // 3
  uint32_t big = b.add(BtfKind::Array, 0, 0, 0, {intId, intId, 0x40000000}); // 4
  b.add(BtfKind::Array, 0, 0, 0, {big, intId, 0x40000000});                  // 5
  auto btf = Btf::parse(b.build(), "t.o");
  ASSERT_TRUE(btf) << btf.error().message;
  std::string why;
  EXPECT_FALSE(btf->resolveSize(1, why));
  EXPECT_NE(why.find("more than 32 deep"), std::string::npos) << why;
  EXPECT_EQ(btf->skipModifiersAndTypedefs(1) == 1 || btf->skipModifiersAndTypedefs(1) == 2, true);
  EXPECT_FALSE(btf->resolveSize(4, why));
  EXPECT_NE(why.find("exceeds 4 GiB"), std::string::npos) << why;
  EXPECT_FALSE(btf->resolveSize(5, why));
}

TEST(Btf, HeaderThatLiesIsAnError) {
  std::vector<uint8_t> valid = sampleTypes().build();
  EXPECT_NE(errorOf(std::vector<uint8_t>(valid.begin(), valid.begin() + 10))
                .find("less than the 24-byte header"),
            std::string::npos);
  auto badMagic = valid;
  patch32(badMagic, 0, 0x0001abcd);
  EXPECT_NE(errorOf(badMagic).find("bad magic 0xabcd"), std::string::npos);
  auto badVersion = valid;
  badVersion[2] = 7;
  EXPECT_NE(errorOf(badVersion).find("unsupported version 7"), std::string::npos);
  auto badHeaderLength = valid;
  patch32(badHeaderLength, 4, 100000);
  EXPECT_NE(errorOf(badHeaderLength).find("header length 100000"), std::string::npos);
  auto typesTooLong = valid;
  patch32(typesTooLong, 12, 0xfffffff0);
  EXPECT_NE(errorOf(typesTooLong).find("header says the types take 4294967280 bytes"),
            std::string::npos)
      << errorOf(typesTooLong);
  auto stringsTooLong = valid;
  patch32(stringsTooLong, 20, 1000000);
  EXPECT_NE(errorOf(stringsTooLong).find("header says the strings take 1000000 bytes"),
            std::string::npos);
  auto unterminated = valid;
  unterminated.back() = 'x';
  EXPECT_NE(errorOf(unterminated).find("must start and end with a NUL byte"), std::string::npos);
  EXPECT_EQ(errorOf(valid), "<parsed>");
  EXPECT_EQ(errorOf(badMagic).rfind("t.o: error: malformed .BTF: ", 0), 0u);
}

TEST(Btf, TypesThatLieAreErrors) {
  {
    BtfBuilder b;
    b.add(BtfKind::Struct, 0, 1000, 8, {0, 0, 0}); // claims 1000 members, has 1
    EXPECT_NE(errorOf(b.build()).find("claims 1000 members"), std::string::npos);
  }
  {
    BtfBuilder b;
    b.add(BtfKind::Int, 5000, 0, 4, {32}); // name offset past the strings
    EXPECT_NE(errorOf(b.build()).find("type [1] has name offset 0x1388 past the end"),
              std::string::npos)
        << errorOf(b.build());
  }
  {
    BtfBuilder b;
    b.add(BtfKind::Ptr, 0, 0, 77); // refers to a type that does not exist
    EXPECT_NE(errorOf(b.build()).find("type [1] refers to type [77], but there "
                                      "are only 1 types"),
              std::string::npos)
        << errorOf(b.build());
  }
  {
    BtfBuilder b;
    uint32_t u64 = b.addInt("long", 8);
    b.add(BtfKind::Struct, b.name("s"), 1, 4, {b.name("x"), u64, 0}); // 8-byte member in 4 bytes
    EXPECT_NE(errorOf(b.build()).find("member 'x' of STRUCT 's' [2] ends at bit 64, past the "
                                      "struct's size of 4 bytes"),
              std::string::npos)
        << errorOf(b.build());
  }
  {
    BtfBuilder b;
    b.add(BtfKind::Int, 0, 0, 3, {24});
    EXPECT_NE(errorOf(b.build()).find("INT type [1] has size 3"), std::string::npos);
  }
  {
    BtfBuilder b;
    b.add(static_cast<BtfKind>(25), 0, 0, 0);
    EXPECT_NE(errorOf(b.build()).find("type [1] has unknown kind 25"), std::string::npos);
  }
  {
    BtfBuilder b;
    uint32_t intId = b.addInt("int", 4);
    b.add(BtfKind::Func, b.name("f"), 0, intId); // a FUNC must point to a FUNC_PROTO
    EXPECT_NE(errorOf(b.build()).find("FUNC [2] has type [1], a INT, not a FUNC_PROTO"),
              std::string::npos);
  }
  {
    BtfBuilder b;
    uint32_t intId = b.addInt("int", 4);
    b.add(BtfKind::Datasec, b.name(".data"), 1, 4, {intId, 0, 4});
    EXPECT_NE(errorOf(b.build()).find("DATASEC [2] lists type [1], a INT, as a variable"),
              std::string::npos);
  }
  {
    BtfBuilder b;
    b.add(BtfKind::Var, b.name("v"), 0, 0, {9}); // unknown linkage
    EXPECT_NE(errorOf(b.build()).find("VAR type [1] has unknown linkage 9"), std::string::npos);
  }
}

// .BTF.ext with func_info and line_info for section "xdp".
std::vector<uint8_t> btfExtBytes(uint32_t sectionName, uint32_t funcType, uint32_t fileName,
                                 uint32_t lineText) {
  std::vector<uint32_t> funcInfo = {8, sectionName, 1, 0, funcType};
  std::vector<uint32_t> lineInfo = {
      16, sectionName, 2, 0, fileName, lineText, 12 << 10 | 5, 8, fileName, lineText, 13 << 10 | 1};
  uint32_t funcLength = static_cast<uint32_t>(funcInfo.size() * 4);
  uint32_t lineLength = static_cast<uint32_t>(lineInfo.size() * 4);
  std::vector<uint32_t> words = {0x0001eb9f, 24, 0, funcLength, funcLength, lineLength};
  words.insert(words.end(), funcInfo.begin(), funcInfo.end());
  words.insert(words.end(), lineInfo.begin(), lineInfo.end());
  std::vector<uint8_t> bytes(words.size() * 4);
  std::memcpy(bytes.data(), words.data(), bytes.size());
  return bytes;
}

class BtfExtTest : public ::testing::Test {
protected:
  void SetUp() override {
    BtfBuilder b;
    uint32_t intId = b.addInt("int", 4);
    uint32_t proto = b.add(BtfKind::FuncProto, 0, 0, intId);
    funcType_ = b.add(BtfKind::Func, b.name("prog"), 1, proto);
    section_ = b.name("xdp");
    file_ = b.name("prog.c");
    text_ = b.name("  return 0;");
    auto btf = Btf::parse(b.build(), "t.o");
    ASSERT_TRUE(btf) << btf.error().message;
    btf_.emplace(std::move(*btf));
  }
  std::string errorOf(const std::vector<uint8_t> &bytes) {
    auto ext = BtfExt::parse(bytes, *btf_, "t.o");
    return ext ? std::string("<parsed>") : ext.error().message;
  }
  std::vector<uint8_t> valid() { return btfExtBytes(section_, funcType_, file_, text_); }

  std::optional<Btf> btf_;
  uint32_t funcType_ = 0, section_ = 0, file_ = 0, text_ = 0;
};

TEST_F(BtfExtTest, ParsesFunctionAndLineInfo) {
  auto ext = BtfExt::parse(valid(), *btf_, "t.o");
  ASSERT_TRUE(ext) << ext.error().message;
  const BtfExtSection *xdp = ext->section("xdp");
  ASSERT_NE(xdp, nullptr);
  ASSERT_EQ(xdp->funcs.size(), 1u);
  EXPECT_EQ(xdp->funcs[0].typeId, funcType_);
  ASSERT_EQ(xdp->lines.size(), 2u);
  EXPECT_EQ(xdp->lines[1].insnOffset, 8u);
  EXPECT_EQ(xdp->lines[0].line, 12u);
  EXPECT_EQ(xdp->lines[0].column, 5u);
  EXPECT_EQ(btf_->name(xdp->lines[0].lineOff), "  return 0;");
  EXPECT_EQ(ext->section("tc"), nullptr);
  EXPECT_EQ(ext->coreRelocationCount(), 0u);
}

TEST_F(BtfExtTest, LiesAreErrors) {
  auto tooShort = valid();
  tooShort.resize(6);
  EXPECT_NE(errorOf(tooShort).find("less than a header"), std::string::npos);
  auto badFuncLength = valid();
  patch32(badFuncLength, 12, 4000);
  EXPECT_NE(errorOf(badFuncLength).find("header says func_info takes 4000 bytes"),
            std::string::npos)
      << errorOf(badFuncLength);
  auto smallRecords = valid();
  patch32(smallRecords, 24, 4);
  EXPECT_NE(errorOf(smallRecords).find("func_info record size 4 is invalid"), std::string::npos);
  auto manyRecords = valid();
  patch32(manyRecords, 24 + 20 + 8, 0x10000000); // line_info count
  EXPECT_NE(errorOf(manyRecords).find("claims 268435456 records of 16 bytes"), std::string::npos)
      << errorOf(manyRecords);
  auto noRecords = valid();
  patch32(noRecords, 24 + 8, 0);
  EXPECT_NE(errorOf(noRecords).find("has no records"), std::string::npos) << errorOf(noRecords);
  EXPECT_NE(errorOf(btfExtBytes(9999, funcType_, file_, text_)).find("string offset 0x270f"),
            std::string::npos);
  EXPECT_NE(errorOf(btfExtBytes(section_, 1, file_, text_))
                .find("refers to type [1], which is "
                      "not a FUNC"),
            std::string::npos);
  EXPECT_NE(errorOf(btfExtBytes(section_, funcType_, 9999, text_))
                .find("outside the .BTF "
                      "strings"),
            std::string::npos);
  EXPECT_EQ(errorOf(valid()), "<parsed>");
}

} // namespace
} // namespace ebpfc::runtime
