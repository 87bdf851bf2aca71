// The format language of bpf_trace_printk, bpf_trace_vprintk and
// bpf_snprintf, with the kernel's checks (bpf_bprintf_prepare) and output
// (its vsnprintf): %d %i %u %x %X with l/ll, %c, %s, %pks/%pus, %pI4 %pi4
// %pI6 %pi6 (%pI6c compressed), %p %pK %px, flags 0 - + space and a width;
// %% for a percent sign. A format the kernel refuses yields nullopt.
//
// Where the kernel prints what user space cannot reproduce, this prints the
// closest stable text: %p and %pK (hashed kernel pointers there) print the
// value as 16 hex digits, like %px.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ebpfc::runtime {

// How the formatter reads the program's memory for %s and %pI4/%pI6; a
// pointer it cannot read gives an empty string / zero address, as in the
// kernel.
class PrintfMemory {
public:
  virtual ~PrintfMemory() = default;
  // The NUL-terminated string at `address`, at most `limit` bytes; nullopt
  // when unreadable.
  virtual std::optional<std::string> string(uint64_t address, size_t limit) = 0;
  virtual bool bytes(uint64_t address, size_t size, uint8_t *out) = 0;
};

struct PrintfResult {
  std::string text;
  // Why the kernel refuses the format (then text is empty).
  std::string error;
  bool ok() const { return error.empty(); }
};

// Formats `format` (the text before its NUL) with `args` (raw 64-bit values,
// as many as the helper received). Errors name the offending specifier.
PrintfResult formatBpfPrintf(std::string_view format, std::span<const uint64_t> args, PrintfMemory &memory);

} // namespace ebpfc::runtime
