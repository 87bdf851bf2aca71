#include "suites/StfFile.h"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ebpfc::suites {
namespace {

namespace fs = std::filesystem;

// Thrown inside the parser, turned into an StfError at its boundary: the
// first problem ends the parse.
struct ParseFailure {
  std::string message;
};

[[noreturn]] void fail(std::string message) { throw ParseFailure{std::move(message)}; }

bool isIdentifierStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$'; }
bool isIdentifierChar(char c) { return isIdentifierStart(c) || std::isdigit(static_cast<unsigned char>(c)); }

std::string lowercase(std::string text) {
  for (char &c : text)
    c = char(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// value = value * base + digit, on little-endian bytes.
void multiplyAdd(Bytes &value, unsigned base, unsigned digit) {
  unsigned carry = digit;
  for (uint8_t &byte : value) {
    unsigned product = byte * base + carry;
    byte = uint8_t(product & 0xff);
    carry = product >> 8;
  }
  while (carry) {
    value.push_back(uint8_t(carry & 0xff));
    carry >>= 8;
  }
}

StfNumber parseNumber(const std::string &text) {
  StfNumber number{text, {}};
  unsigned base = 10;
  std::string digits = text;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    digits = text.substr(2);
  } else if (text.size() > 2 && text[0] == '0' && (text[1] == 'b' || text[1] == 'B')) {
    base = 2;
    digits = text.substr(2);
  }
  if (digits.find('*') != std::string::npos)
    fail("'" + text + "' has don't-care digits ('*'), which only ternary keys match; eBPF tables have exact and "
                      "lpm keys");
  if (digits.empty())
    fail("'" + text + "' is not a number");
  for (char c : digits) {
    int value = hexValue(c);
    if (value < 0 || unsigned(value) >= base)
      fail("'" + text + "' is not a number (decimal, 0x hex or 0b binary)");
    multiplyAdd(number.littleEndian, base, unsigned(value));
  }
  while (!number.littleEndian.empty() && number.littleEndian.back() == 0)
    number.littleEndian.pop_back();
  return number;
}

// One line's tokens after the statement keyword.
struct Token {
  enum class Kind { Word, Number, Punct, End };
  Kind kind = Kind::End;
  std::string text;
};

class LineLexer {
public:
  explicit LineLexer(std::string_view line) : line_(line) {}

  Token peek() {
    size_t saved = position_;
    Token token = next();
    position_ = saved;
    return token;
  }

  Token next() {
    while (position_ < line_.size() && std::isspace(static_cast<unsigned char>(line_[position_])))
      position_++;
    if (position_ >= line_.size())
      return {Token::Kind::End, ""};
    char c = line_[position_];
    size_t start = position_;
    if (c == '"') {
      size_t end = line_.find('"', start + 1);
      if (end == std::string_view::npos || end == start + 1)
        fail("unterminated or empty quoted name");
      position_ = end + 1;
      return {Token::Kind::Word, std::string(line_.substr(start + 1, end - start - 1))};
    }
    if (isIdentifierStart(c)) {
      while (position_ < line_.size() && isIdentifierChar(line_[position_]))
        position_++;
      return {Token::Kind::Word, std::string(line_.substr(start, position_ - start))};
    }
    if (std::isdigit(static_cast<unsigned char>(c))) {
      while (position_ < line_.size() &&
             (std::isalnum(static_cast<unsigned char>(line_[position_])) || line_[position_] == '*'))
        position_++;
      return {Token::Kind::Number, std::string(line_.substr(start, position_ - start))};
    }
    if (std::strchr(":/(),=.[]", c)) {
      position_++;
      return {Token::Kind::Punct, std::string(1, c)};
    }
    fail(std::string("unexpected character '") + c + "'");
  }

  // Everything not yet read.
  std::string_view rest() const { return line_.substr(std::min(position_, line_.size())); }

private:
  std::string_view line_;
  size_t position_ = 0;
};

std::string describe(const Token &token) {
  return token.kind == Token::Kind::End ? "the end of the line" : "'" + token.text + "'";
}

void expectPunct(LineLexer &lexer, const char *punct, const std::string &context) {
  Token token = lexer.next();
  if (token.kind != Token::Kind::Punct || token.text != punct)
    fail("expected '" + std::string(punct) + "' " + context + ", found " + describe(token));
}

// ID ( '.' ID | '[' N ']' )*
std::string qualifiedName(LineLexer &lexer, const std::string &what) {
  Token first = lexer.next();
  if (first.kind != Token::Kind::Word)
    fail("expected " + what + ", found " + describe(first));
  std::string name = first.text;
  for (;;) {
    Token token = lexer.peek();
    if (token.kind != Token::Kind::Punct || (token.text != "." && token.text != "["))
      return name;
    lexer.next();
    if (token.text == ".") {
      Token part = lexer.next();
      if (part.kind != Token::Kind::Word)
        fail("expected a name after '.' in " + what + " '" + name + "', found " + describe(part));
      name += "." + part.text;
    } else {
      Token index = lexer.next();
      if (index.kind != Token::Kind::Number)
        fail("expected an index after '[' in " + what + " '" + name + "', found " + describe(index));
      expectPunct(lexer, "]", "after the index in '" + name + "[" + index.text + "'");
      name += "[" + index.text + "]";
    }
  }
}

StfNumber number(LineLexer &lexer, const std::string &what) {
  Token token = lexer.next();
  if (token.kind != Token::Kind::Number)
    fail("expected a number for " + what + ", found " + describe(token));
  return parseNumber(token.text);
}

// The arguments of an action call after its '(', up to and including ')':
// PARAM:VALUE, ...
void actionArguments(LineLexer &lexer, StfActionCall &call) {
  Token first = lexer.peek();
  if (first.kind == Token::Kind::Punct && first.text == ")") {
    lexer.next();
    return;
  }
  for (;;) {
    Token parameter = lexer.next();
    if (parameter.kind != Token::Kind::Word)
      fail("expected a parameter name in the arguments of '" + call.name + "', found " + describe(parameter));
    expectPunct(lexer, ":", "after the parameter name '" + parameter.text + "'");
    call.arguments.push_back({parameter.text, number(lexer, "parameter '" + parameter.text + "'")});
    Token separator = lexer.next();
    if (separator.kind == Token::Kind::Punct && separator.text == ")")
      return;
    if (separator.kind != Token::Kind::Punct || separator.text != ",")
      fail("expected ',' or ')' in the arguments of '" + call.name + "', found " + describe(separator));
  }
}

void expectEnd(LineLexer &lexer, const std::string &after) {
  Token token = lexer.next();
  if (token.kind != Token::Kind::End)
    fail("unexpected " + describe(token) + " after " + after);
}

uint32_t port(LineLexer &lexer, const std::string &keyword) {
  Token token = lexer.next();
  if (token.kind != Token::Kind::Number)
    fail("expected a port number after '" + keyword + "', found " + describe(token));
  for (char c : token.text)
    if (!std::isdigit(static_cast<unsigned char>(c)))
      fail("port '" + token.text + "' is not a decimal number");
  errno = 0;
  unsigned long value = std::strtoul(token.text.c_str(), nullptr, 10);
  if (errno == ERANGE || value > UINT32_MAX)
    fail("port " + token.text + " is too large");
  return uint32_t(value);
}

// The hex after `packet PORT` / `expect PORT`: digits grouped by whitespace
// as the writer likes (pairs may be split), `*` nibbles and a final `$`
// where `expected` allows them.
struct PacketData {
  BytePattern pattern;
  bool exactLength = false;
  std::vector<size_t> groupDigits;
};

PacketData packetData(std::string_view text, bool expected) {
  PacketData data;
  std::string digits;
  for (size_t i = 0; i < text.size(); i++) {
    char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c)))
      continue;
    if (data.exactLength)
      fail("'$' must end the expected data (found '" + std::string(1, c) + "' after it)");
    if (c == '$') {
      if (!expected)
        fail("'$' (exact length) belongs to expected packets, not to 'packet'");
      data.exactLength = true;
      continue;
    }
    if (c == '*' && !expected)
      fail("'*' (any nibble) belongs to expected packets, not to 'packet'");
    if (c != '*' && hexValue(c) < 0)
      fail("'" + std::string(1, c) + "' is not a hex digit");
    if (i == 0 || std::isspace(static_cast<unsigned char>(text[i - 1])))
      data.groupDigits.push_back(0);
    data.groupDigits.back()++;
    digits += c;
  }
  if (digits.size() % 2 != 0)
    fail("odd number of hex digits (" + std::to_string(digits.size()) + "): packets are whole bytes");
  for (size_t i = 0; i < digits.size(); i += 2) {
    uint8_t value = 0, mask = 0;
    for (char c : {digits[i], digits[i + 1]}) {
      value = uint8_t(value << 4);
      mask = uint8_t(mask << 4);
      if (c != '*') {
        value |= uint8_t(hexValue(c));
        mask |= 0xf;
      }
    }
    data.pattern.bytes.push_back(value);
    data.pattern.mask.push_back(mask);
  }
  return data;
}

StfStatement parseStatement(const std::string &keyword, LineLexer &lexer, unsigned line) {
  if (keyword == "packet") {
    StfPacket packet;
    packet.line = line;
    packet.port = port(lexer, "packet");
    PacketData data = packetData(lexer.rest(), false);
    if (data.pattern.bytes.empty())
      fail("'packet " + std::to_string(packet.port) + "' needs the packet's bytes in hex");
    packet.data = std::move(data.pattern.bytes);
    packet.groupDigits = std::move(data.groupDigits);
    return packet;
  }
  if (keyword == "expect") {
    StfExpect expect;
    expect.line = line;
    expect.port = port(lexer, "expect");
    PacketData data = packetData(lexer.rest(), true);
    if (data.pattern.bytes.empty() && data.exactLength)
      fail("'$' (exact length) needs the expected bytes before it");
    if (!data.pattern.bytes.empty()) {
      expect.data = std::move(data.pattern);
      expect.exactLength = data.exactLength;
    }
    return expect;
  }
  if (keyword == "add") {
    StfTableAdd add;
    add.line = line;
    add.table = qualifiedName(lexer, "a table name after 'add'");
    if (lexer.peek().kind == Token::Kind::Number) {
      Token priority = lexer.next();
      for (char c : priority.text)
        if (!std::isdigit(static_cast<unsigned char>(c)))
          fail("priority '" + priority.text + "' is not a decimal number");
    }
    for (;;) {
      std::string name = qualifiedName(lexer, "a key field or the action");
      Token after = lexer.next();
      if (after.kind == Token::Kind::Punct && after.text == ":") {
        StfKeyField field{name, number(lexer, "key field '" + name + "'"), std::nullopt};
        if (lexer.peek().kind == Token::Kind::Punct && lexer.peek().text == "/") {
          lexer.next();
          StfNumber prefix = number(lexer, "the prefix length of '" + name + "'");
          if (prefix.bits() > 16)
            fail("prefix length " + prefix.text + " of '" + name + "' is too large");
          uint32_t length = 0;
          for (size_t i = prefix.littleEndian.size(); i-- > 0;)
            length = length << 8 | prefix.littleEndian[i];
          field.prefixLength = length;
        }
        add.key.push_back(std::move(field));
        continue;
      }
      if (after.kind == Token::Kind::Punct && after.text == "(") {
        add.action.name = name;
        actionArguments(lexer, add.action);
        break;
      }
      fail("expected ':' after key field '" + name + "' or '(' after action '" + name + "', found " +
           describe(after));
    }
    if (lexer.peek().kind == Token::Kind::Punct && lexer.peek().text == "=") {
      lexer.next();
      Token name = lexer.next();
      if (name.kind != Token::Kind::Word)
        fail("expected an entry name after '=', found " + describe(name));
    }
    expectEnd(lexer, "the action '" + add.action.name + "(...)'");
    return add;
  }
  if (keyword == "setdefault") {
    StfSetDefault setDefault;
    setDefault.line = line;
    setDefault.table = qualifiedName(lexer, "a table name after 'setdefault'");
    setDefault.action.name = qualifiedName(lexer, "an action after the table name");
    expectPunct(lexer, "(", "after the action name '" + setDefault.action.name + "'");
    actionArguments(lexer, setDefault.action);
    expectEnd(lexer, "the action '" + setDefault.action.name + "(...)'");
    return setDefault;
  }
  for (const char *unsupported : {"remove", "check_counter", "no_packet"})
    if (keyword == unsupported)
      fail("'" + keyword + "' is a p4c STF statement that ebpfvm does not support");
  fail("unknown statement '" + keyword + "'; expected add, setdefault, packet, expect or wait");
}

} // namespace

unsigned StfNumber::bits() const {
  if (littleEndian.empty())
    return 0;
  unsigned bits = unsigned(littleEndian.size() - 1) * 8;
  for (uint8_t top = littleEndian.back(); top; top >>= 1)
    bits++;
  return bits;
}

std::string StfError::toString() const {
  return file + (line ? ":" + std::to_string(line) : "") + ": error: " + message;
}

unsigned lineOf(const StfStatement &statement) {
  return std::visit([](const auto &s) { return s.line; }, statement);
}

std::variant<StfScript, StfError> parseStf(const std::string &text, const fs::path &path) {
  StfScript script;
  script.path = path;
  std::istringstream lines(text);
  std::string line;
  unsigned number = 0;
  while (std::getline(lines, line)) {
    number++;
    if (size_t comment = line.find('#'); comment != std::string::npos)
      line.resize(comment);
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    try {
      LineLexer lexer(line);
      Token keyword = lexer.next();
      if (keyword.kind == Token::Kind::End)
        continue;
      if (keyword.kind != Token::Kind::Word)
        fail("expected a statement (add, setdefault, packet, expect, wait), found " + describe(keyword));
      std::string name = lowercase(keyword.text);
      if (name == "wait") {
        // Packets are processed one at a time, in order: there is never
        // anything to wait for.
        expectEnd(lexer, "'wait'");
        continue;
      }
      script.statements.push_back(parseStatement(name, lexer, number));
    } catch (const ParseFailure &failure) {
      return StfError{path.string(), number, failure.message};
    }
  }
  return script;
}

std::variant<StfScript, StfError> loadStf(const fs::path &path) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    return StfError{path.string(), 0, std::string("cannot open: ") + std::strerror(errno)};
  std::stringstream text;
  text << file.rdbuf();
  return parseStf(text.str(), path);
}

} // namespace ebpfc::suites
