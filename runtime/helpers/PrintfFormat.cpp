#include "runtime/helpers/PrintfFormat.h"

#include <fmt/format.h>

#include <cctype>
#include <cstring>

namespace ebpfc::runtime {

namespace {

// Longest string %s copies (the kernel's per-call scratch buffer).
constexpr size_t kMaxStringArgument = 512;

struct Spec {
  bool zeroPad = false, leftAlign = false, plus = false, space = false;
  size_t width = 0;
};

std::string pad(std::string body, const Spec &spec, bool numeric) {
  if (body.size() >= spec.width)
    return body;
  const size_t fill = spec.width - body.size();
  if (spec.leftAlign)
    return body + std::string(fill, ' ');
  if (spec.zeroPad && numeric) {
    // Zeros go after the sign.
    const size_t signLength = !body.empty() && (body[0] == '-' || body[0] == '+' || body[0] == ' ') ? 1 : 0;
    return body.substr(0, signLength) + std::string(fill, '0') + body.substr(signLength);
  }
  return std::string(fill, ' ') + body;
}

std::string formatInteger(char conversion, unsigned size, uint64_t raw, const Spec &spec) {
  const uint64_t mask = size == 8 ? ~uint64_t{0} : 0xffffffffull;
  const uint64_t value = raw & mask;
  std::string body;
  switch (conversion) {
  case 'd':
  case 'i': {
    const int64_t signedValue = size == 8 ? int64_t(value) : int64_t(int32_t(uint32_t(value)));
    body = std::to_string(signedValue);
    if (signedValue >= 0 && spec.plus)
      body = "+" + body;
    else if (signedValue >= 0 && spec.space)
      body = " " + body;
    break;
  }
  case 'u':
    body = std::to_string(value);
    break;
  case 'x':
    body = fmt::format("{:x}", value);
    break;
  default: // 'X'
    body = fmt::format("{:X}", value);
    break;
  }
  return pad(std::move(body), spec, true);
}

std::string ipv4Text(const uint8_t *address, bool leadingZeros) {
  if (leadingZeros)
    return fmt::format("{:03}.{:03}.{:03}.{:03}", address[0], address[1], address[2], address[3]);
  return fmt::format("{}.{}.{}.{}", address[0], address[1], address[2], address[3]);
}

std::string ipv6Text(const uint8_t *address, char style) {
  uint16_t groups[8];
  for (int i = 0; i < 8; ++i)
    groups[i] = uint16_t(address[2 * i] << 8 | address[2 * i + 1]);
  if (style == 'i') { // %pi6: 32 hex digits
    std::string text;
    for (int i = 0; i < 16; ++i)
      text += fmt::format("{:02x}", address[i]);
    return text;
  }
  if (style == 'c') { // %pI6c: RFC 5952, the longest run of zero groups (two or more) as ::
    int bestStart = -1, bestLength = 1;
    for (int i = 0; i < 8;) {
      int j = i;
      while (j < 8 && groups[j] == 0)
        ++j;
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    std::string text;
    for (int i = 0; i < 8; ++i) {
      if (i == bestStart) {
        text += "::";
        i += bestLength - 1;
        continue;
      }
      if (!text.empty() && text.back() != ':')
        text += ':';
      text += fmt::format("{:x}", groups[i]);
    }
    return text;
  }
  std::string text; // %pI6: eight groups of four digits
  for (int i = 0; i < 8; ++i)
    text += fmt::format("{}{:04x}", i ? ":" : "", groups[i]);
  return text;
}

bool isPunctuation(char c) { return std::ispunct(static_cast<unsigned char>(c)) != 0; }
bool isSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

} // namespace

PrintfResult formatBpfPrintf(std::string_view format, std::span<const uint64_t> args, PrintfMemory &memory) {
  PrintfResult result;
  size_t argument = 0;
  auto refuse = [&](size_t at, const std::string &why) {
    result.text.clear();
    result.error = fmt::format("format character {}: {}", at, why);
    return result;
  };
  // The format seen as NUL-terminated: reading one past the end gives 0.
  auto at = [&](size_t i) { return i < format.size() ? format[i] : '\0'; };

  for (size_t i = 0; i < format.size(); ++i) {
    const char c = format[i];
    if ((!std::isprint(static_cast<unsigned char>(c)) && !isSpace(c)) || static_cast<unsigned char>(c) > 127)
      return refuse(i, fmt::format("byte {:#04x} is not printable (the kernel refuses the format)",
                                   static_cast<unsigned char>(c)));
    if (c != '%') {
      result.text += c;
      continue;
    }
    if (at(i + 1) == '%') {
      result.text += '%';
      ++i;
      continue;
    }
    const size_t start = i;
    if (argument >= args.size())
      return refuse(start, fmt::format("more conversions than the {} argument{} given", args.size(),
                                       args.size() == 1 ? "" : "s"));
    const uint64_t value = args[argument];
    ++i;
    Spec spec;
    for (; at(i) == '0' || at(i) == '+' || at(i) == '-' || at(i) == ' '; ++i) {
      spec.zeroPad |= at(i) == '0';
      spec.plus |= at(i) == '+';
      spec.leftAlign |= at(i) == '-';
      spec.space |= at(i) == ' ';
    }
    if (at(i) >= '1' && at(i) <= '9')
      for (; at(i) >= '0' && at(i) <= '9'; ++i)
        spec.width = std::min<size_t>(spec.width * 10 + size_t(at(i) - '0'), 1024);

    if (at(i) == 'p') {
      const char next = at(i + 1);
      if ((next == 'k' || next == 'u') && at(i + 2) == 's') {
        i += 2;
        if (at(i + 1) != '\0' && !isSpace(at(i + 1)) && !isPunctuation(at(i + 1)))
          return refuse(start, "%s must be followed by a space, punctuation or the end of the format");
        result.text += pad(memory.string(value, kMaxStringArgument).value_or(""), spec, false);
        ++argument;
        continue;
      }
      if (next == '\0' || isSpace(next) || isPunctuation(next) || next == 'K' || next == 'x' || next == 's' ||
          next == 'S') {
        // Plain pointers. The kernel's vsnprintf also takes the letter after
        // %p as part of the conversion (x, K, s, S).
        if (next == 'K' || next == 'x' || next == 's' || next == 'S')
          ++i;
        result.text += pad(fmt::format("{:016x}", value), spec, true);
        ++argument;
        continue;
      }
      if (next == 'B') {
        ++i;
        result.text += pad(fmt::format("{:#x}", value), spec, false);
        ++argument;
        continue;
      }
      if ((next != 'i' && next != 'I') || (at(i + 2) != '4' && at(i + 2) != '6'))
        return refuse(start, "unsupported %p conversion (only %pI4, %pi4, %pI6, %pi6, %pks, %pus, %pK, %px, %pB)");
      const bool v4 = at(i + 2) == '4';
      i += 2;
      uint8_t address[16] = {};
      if (!memory.bytes(value, v4 ? 4 : 16, address))
        std::memset(address, 0, sizeof address);
      std::string text;
      if (v4) {
        text = ipv4Text(address, next == 'i');
      } else {
        char style = next;
        if (next == 'I' && at(i + 1) == 'c') {
          style = 'c';
          ++i;
        }
        text = ipv6Text(address, style);
      }
      result.text += pad(std::move(text), spec, false);
      ++argument;
      continue;
    }
    if (at(i) == 's') {
      if (at(i + 1) != '\0' && !isSpace(at(i + 1)) && !isPunctuation(at(i + 1)))
        return refuse(start, "%s must be followed by a space, punctuation or the end of the format");
      result.text += pad(memory.string(value, kMaxStringArgument).value_or(""), spec, false);
      ++argument;
      continue;
    }
    if (at(i) == 'c') {
      result.text += pad(std::string(1, char(uint8_t(value))), spec, false);
      ++argument;
      continue;
    }
    unsigned size = 4;
    if (at(i) == 'l') {
      size = 8;
      ++i;
    }
    if (at(i) == 'l')
      ++i;
    const char conversion = at(i);
    if (conversion != 'i' && conversion != 'd' && conversion != 'u' && conversion != 'x' && conversion != 'X')
      return refuse(start, conversion == '\0'
                               ? std::string("the format ends inside a conversion")
                               : fmt::format("unsupported conversion '%{}' (supported: d i u x X with l or ll, "
                                             "c, s, p forms)",
                                             format.substr(start + 1, i - start)));
    result.text += formatInteger(conversion, size, value, spec);
    ++argument;
  }
  return result;
}

} // namespace ebpfc::runtime
