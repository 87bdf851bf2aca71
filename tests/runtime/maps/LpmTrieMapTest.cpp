#include "MapTestSupport.h"

#include <cerrno>

namespace ebpfc::runtime::test {
namespace {

struct Ipv4Key {
  uint32_t prefixLen;
  uint8_t address[4];
};

Ipv4Key prefix(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint32_t length) { return {length, {a, b, c, d}}; }

std::shared_ptr<Map> ipv4Trie(uint32_t maxEntries = 16) {
  return makeMap(makeSpec(MT::LpmTrie, sizeof(Ipv4Key), 4, maxEntries, mapflags::kNoPrealloc));
}

// The value of the longest prefix matching the address, 0 when none.
uint32_t route(Map &map, uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  Ipv4Key key = prefix(a, b, c, d, 32);
  void *value = map.lookup(&key, 0);
  return value ? u32At(value) : 0;
}

void add(Map &map, Ipv4Key key, uint32_t value) { ASSERT_EQ(map.userUpdate(&key, &value, kAny), 0); }

TEST(LpmTrieMap, LongestPrefixWins) {
  auto trie = ipv4Trie();
  add(*trie, prefix(0, 0, 0, 0, 0), 1);        // default route
  add(*trie, prefix(10, 0, 0, 0, 8), 2);       // 10.0.0.0/8
  add(*trie, prefix(10, 1, 0, 0, 16), 3);      // 10.1.0.0/16
  add(*trie, prefix(10, 1, 2, 0, 24), 4);      // 10.1.2.0/24
  add(*trie, prefix(10, 1, 2, 128, 25), 5);    // 10.1.2.128/25
  add(*trie, prefix(192, 168, 0, 0, 16), 6);   // 192.168.0.0/16
  add(*trie, prefix(192, 168, 1, 7, 32), 7);   // one host

  EXPECT_EQ(route(*trie, 10, 1, 2, 200), 5u);
  EXPECT_EQ(route(*trie, 10, 1, 2, 100), 4u);
  EXPECT_EQ(route(*trie, 10, 1, 3, 1), 3u);
  EXPECT_EQ(route(*trie, 10, 200, 0, 1), 2u);
  EXPECT_EQ(route(*trie, 11, 0, 0, 1), 1u);
  EXPECT_EQ(route(*trie, 192, 168, 1, 7), 7u);
  EXPECT_EQ(route(*trie, 192, 168, 1, 8), 6u);

  // The lookup key's own prefix length bounds the match.
  Ipv4Key shortKey = prefix(10, 1, 2, 200, 16);
  EXPECT_EQ(u32At(trie->lookup(&shortKey, 0)), 3u);
  uint32_t value = 0;
  ASSERT_EQ(trie->userLookup(&shortKey, &value), 0); // user lookups match the same way
  EXPECT_EQ(value, 3u);
  Ipv4Key tooLong = prefix(10, 1, 2, 200, 33);
  EXPECT_EQ(trie->lookup(&tooLong, 0), nullptr);

  // Without the default route, an uncovered address matches nothing.
  Ipv4Key defaultRoute = prefix(0, 0, 0, 0, 0);
  ASSERT_EQ(trie->userDelete(&defaultRoute), 0);
  EXPECT_EQ(route(*trie, 11, 0, 0, 1), 0u);
  EXPECT_EQ(trie->userLookup(&tooLong, &value), -ENOENT);
}

TEST(LpmTrieMap, UpdateAndDeleteUseTheExactPrefix) {
  auto trie = ipv4Trie();
  add(*trie, prefix(10, 1, 0, 0, 16), 3);
  Ipv4Key sameBitsOtherHost = prefix(10, 1, 99, 99, 16); // bits past /16 do not matter
  uint32_t value = 30;
  EXPECT_EQ(trie->userUpdate(&sameBitsOtherHost, &value, kNoExist), -EEXIST);
  EXPECT_EQ(trie->userUpdate(&sameBitsOtherHost, &value, kExist), 0);
  EXPECT_EQ(route(*trie, 10, 1, 5, 5), 30u);

  Ipv4Key longer = prefix(10, 1, 0, 0, 24);
  EXPECT_EQ(trie->userUpdate(&longer, &value, kExist), -ENOENT);
  EXPECT_EQ(trie->userDelete(&longer), -ENOENT); // /24 is not in the trie, /16 is
  Ipv4Key bad = prefix(10, 1, 0, 0, 33);
  EXPECT_EQ(trie->userUpdate(&bad, &value, kAny), -EINVAL);
  EXPECT_EQ(trie->userDelete(&bad), -EINVAL);
  EXPECT_EQ(trie->userUpdate(&longer, &value, 3), -EINVAL);
  EXPECT_EQ(trie->userDelete(&sameBitsOtherHost), 0);
  EXPECT_EQ(route(*trie, 10, 1, 5, 5), 0u);
}

TEST(LpmTrieMap, FullTrieRefusesNewPrefixesWithEnospc) {
  auto trie = ipv4Trie(2);
  add(*trie, prefix(10, 0, 0, 0, 8), 1);
  add(*trie, prefix(11, 0, 0, 0, 8), 2);
  Ipv4Key third = prefix(12, 0, 0, 0, 8);
  uint32_t value = 3;
  EXPECT_EQ(trie->userUpdate(&third, &value, kAny), -ENOSPC);
  Ipv4Key existing = prefix(11, 0, 0, 0, 8);
  EXPECT_EQ(trie->userUpdate(&existing, &value, kAny), 0); // replacing is fine
  EXPECT_EQ(route(*trie, 11, 1, 1, 1), 3u);
}

TEST(LpmTrieMap, GetNextKeyIsPostOrder) {
  auto trie = ipv4Trie();
  add(*trie, prefix(192, 168, 0, 0, 16), 1);
  add(*trie, prefix(192, 168, 0, 0, 24), 2);
  add(*trie, prefix(192, 168, 128, 0, 24), 3);
  add(*trie, prefix(192, 168, 1, 0, 24), 4);
  add(*trie, prefix(10, 0, 0, 0, 8), 5);

  // More specific prefixes before the prefixes containing them; a 0 bit
  // before a 1 bit where prefixes diverge.
  std::vector<std::pair<uint32_t, uint32_t>> expected = {
      {8, 0x0A000000}, {24, 0xC0A80000}, {24, 0xC0A80100}, {24, 0xC0A88000}, {16, 0xC0A80000}};
  std::vector<std::pair<uint32_t, uint32_t>> walked;
  Ipv4Key key{}, next{};
  const void *cursor = nullptr;
  while (trie->getNextKey(cursor, &next) == 0) {
    uint32_t address = uint32_t{next.address[0]} << 24 | uint32_t{next.address[1]} << 16 |
                       uint32_t{next.address[2]} << 8 | next.address[3];
    walked.emplace_back(next.prefixLen, address);
    key = next;
    cursor = &key;
    ASSERT_LE(walked.size(), expected.size());
  }
  EXPECT_EQ(walked, expected);

  Ipv4Key absent = prefix(1, 2, 3, 4, 32);
  ASSERT_EQ(trie->getNextKey(&absent, &next), 0);
  EXPECT_EQ(next.prefixLen, 8u); // restarts at the first key
  Ipv4Key invalid = prefix(1, 2, 3, 4, 40);
  ASSERT_EQ(trie->getNextKey(&invalid, &next), 0);
  EXPECT_EQ(next.prefixLen, 8u);
}

TEST(LpmTrieMap, GetNextKeyReturnsTheDataBytesAsWritten) {
  auto trie = ipv4Trie();
  add(*trie, prefix(10, 1, 2, 3, 8), 1); // host bits past /8 are kept
  Ipv4Key next{};
  ASSERT_EQ(trie->getNextKey(nullptr, &next), 0);
  EXPECT_EQ(next.prefixLen, 8u);
  EXPECT_EQ(next.address[1], 1);
  EXPECT_EQ(next.address[3], 3);
  EXPECT_EQ(trie->getNextKey(&next, &next), -ENOENT);
}

TEST(LpmTrieMap, DeletedValueStaysReadableUntilQuiesce) {
  auto trie = ipv4Trie();
  add(*trie, prefix(10, 0, 0, 0, 8), 42);
  Ipv4Key probe = prefix(10, 9, 9, 9, 32);
  void *held = trie->lookup(&probe, 0);
  ASSERT_NE(held, nullptr);
  Ipv4Key entry = prefix(10, 0, 0, 0, 8);
  ASSERT_EQ(trie->remove(&entry, 0), 0);
  MemoryRegion region;
  EXPECT_TRUE(trie->findValueRegion(held, 4, region));
  EXPECT_EQ(u32At(held), 42u);
  trie->quiesce();
  EXPECT_FALSE(trie->findValueRegion(held, 4, region));
}

TEST(LpmTrieMap, WideKeys) {
  // IPv6-sized keys: 128-bit prefixes.
  struct Ipv6Key {
    uint32_t prefixLen;
    uint8_t address[16];
  };
  auto trie = makeMap(makeSpec(MT::LpmTrie, sizeof(Ipv6Key), 4, 8, mapflags::kNoPrealloc));
  Ipv6Key net{48, {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01}};
  Ipv6Key host{128, {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
  uint32_t netValue = 1, hostValue = 2;
  ASSERT_EQ(trie->userUpdate(&net, &netValue, kAny), 0);
  ASSERT_EQ(trie->userUpdate(&host, &hostValue, kAny), 0);
  Ipv6Key probe = host;
  EXPECT_EQ(u32At(trie->lookup(&probe, 0)), 2u);
  probe.address[15] = 2;
  EXPECT_EQ(u32At(trie->lookup(&probe, 0)), 1u);
  probe.address[5] = 2;
  EXPECT_EQ(trie->lookup(&probe, 0), nullptr);
}

} // namespace
} // namespace ebpfc::runtime::test
