// The benchmark programs that have a plain-C form (BENCH_COMPUTE and
// BENCH_PACKET in bench/programs/bench.h), compiled by clang-19 -O2
// -DBENCH_NATIVE into host functions at build time (bench/CMakeLists.txt
// generates the table). Each takes the same input the BPF build gets in r1.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace ebpfc::bench {

struct NativeProgram {
  std::string_view name;
  uint64_t (*function)(void *input);
};

std::span<const NativeProgram> nativePrograms();

} // namespace ebpfc::bench
