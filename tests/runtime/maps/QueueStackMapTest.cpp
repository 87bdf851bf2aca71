#include "MapTestSupport.h"

#include <cerrno>

namespace ebpfc::runtime::test {
namespace {

std::vector<uint32_t> popAll(Map &map) {
  std::vector<uint32_t> values;
  uint32_t value;
  while (map.pop(&value) == 0)
    values.push_back(value);
  return values;
}

void pushAll(Map &map, std::initializer_list<uint32_t> values) {
  for (uint32_t value : values) {
    ASSERT_EQ(map.push(&value, kAny), 0);
  }
}

TEST(QueueMap, FirstInFirstOut) {
  auto queue = makeMap(makeSpec(MT::Queue, 0, 4, 4));
  pushAll(*queue, {1, 2, 3});
  uint32_t value = 0;
  ASSERT_EQ(queue->peek(&value), 0);
  EXPECT_EQ(value, 1u);
  EXPECT_EQ(popAll(*queue), (std::vector<uint32_t>{1, 2, 3}));
  EXPECT_EQ(queue->pop(&value), -ENOENT);
  EXPECT_EQ(queue->peek(&value), -ENOENT);
}

TEST(StackMap, LastInFirstOut) {
  auto stack = makeMap(makeSpec(MT::Stack, 0, 4, 4));
  pushAll(*stack, {1, 2, 3});
  uint32_t value = 0;
  ASSERT_EQ(stack->peek(&value), 0);
  EXPECT_EQ(value, 3u);
  EXPECT_EQ(popAll(*stack), (std::vector<uint32_t>{3, 2, 1}));
}

TEST(QueueMap, FullPushNeedsBpfExistWhichDropsTheOldest) {
  auto queue = makeMap(makeSpec(MT::Queue, 0, 4, 3));
  pushAll(*queue, {1, 2, 3});
  uint32_t value = 4;
  EXPECT_EQ(queue->push(&value, kAny), -E2BIG);
  EXPECT_EQ(queue->push(&value, kExist), 0);
  value = 5;
  EXPECT_EQ(queue->push(&value, kExist), 0);
  EXPECT_EQ(popAll(*queue), (std::vector<uint32_t>{3, 4, 5}));
  EXPECT_EQ(queue->push(&value, kNoExist), -EINVAL);
  EXPECT_EQ(queue->push(&value, 4), -EINVAL);
}

TEST(StackMap, FullPushWithBpfExistDropsTheOldestToo) {
  auto stack = makeMap(makeSpec(MT::Stack, 0, 4, 3));
  pushAll(*stack, {1, 2, 3});
  uint32_t value = 4;
  EXPECT_EQ(stack->push(&value, kAny), -E2BIG);
  ASSERT_EQ(stack->push(&value, kExist), 0);
  EXPECT_EQ(popAll(*stack), (std::vector<uint32_t>{4, 3, 2}));
}

TEST(QueueMap, InterleavedWrapAround) {
  // Two pushes per pop: 6 values at most, 10 pushes wrap around the storage.
  auto queue = makeMap(makeSpec(MT::Queue, 0, 4, 6));
  std::vector<uint32_t> out;
  for (uint32_t i = 0; i < 10; ++i) {
    ASSERT_EQ(queue->push(&i, kAny), 0);
    if (i % 2 == 1) {
      uint32_t value;
      ASSERT_EQ(queue->pop(&value), 0);
      out.push_back(value);
    }
  }
  for (uint32_t value : popAll(*queue))
    out.push_back(value);
  EXPECT_EQ(out, (std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST(QueueMap, UserViewIsPeekPushPop) {
  auto queue = makeMap(makeSpec(MT::Queue, 0, 8, 2));
  uint64_t value = 10;
  ASSERT_EQ(queue->userUpdate(nullptr, &value, kAny), 0);
  value = 20;
  ASSERT_EQ(queue->userUpdate(nullptr, &value, kAny), 0);
  uint64_t out = 0;
  ASSERT_EQ(queue->userLookup(nullptr, &out), 0);
  EXPECT_EQ(out, 10u);
  ASSERT_EQ(queue->userLookupAndDelete(nullptr, &out), 0);
  EXPECT_EQ(out, 10u);
  EXPECT_EQ(queue->userDelete(nullptr), -EINVAL);
  EXPECT_EQ(queue->getNextKey(nullptr, &out), -EINVAL);
  // Programs use push/pop/peek, not lookup/update/delete.
  EXPECT_EQ(queue->lookup(nullptr, 0), nullptr);
  EXPECT_EQ(queue->update(nullptr, &value, kAny, 0), -EINVAL);
  EXPECT_EQ(queue->remove(nullptr, 0), -EINVAL);
}

} // namespace
} // namespace ebpfc::runtime::test
