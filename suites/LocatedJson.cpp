#include "suites/LocatedJson.h"

#include <algorithm>
#include <iterator>
#include <vector>

namespace ebpfc::suites {
namespace {

// A character iterator that tells how far the parser has read: nlohmann's
// SAX events carry no position, but at each event the lexer has consumed
// exactly the token just reported (numbers: plus one delimiter).
class CountingIterator {
public:
  using iterator_category = std::forward_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char *;
  using reference = const char &;

  CountingIterator() = default;
  CountingIterator(const char *position, size_t *consumed) : position_(position), consumed_(consumed) {}
  reference operator*() const { return *position_; }
  CountingIterator &operator++() {
    ++position_;
    ++*consumed_;
    return *this;
  }
  CountingIterator operator++(int) {
    CountingIterator before = *this;
    ++*this;
    return before;
  }
  bool operator==(const CountingIterator &other) const { return position_ == other.position_; }
  bool operator!=(const CountingIterator &other) const { return position_ != other.position_; }

private:
  const char *position_ = nullptr;
  size_t *consumed_ = nullptr;
};

class LocatingSaxBuilder : public nlohmann::json_sax<Json> {
public:
  LocatingSaxBuilder(const std::string &text, const size_t &consumed, LocatedJson &out, JsonSyntaxError &error)
      : text_(text), consumed_(consumed), out_(out), error_(error) {
    for (size_t i = 0; i < text.size(); i++)
      if (text[i] == '\n')
        lineStarts_.push_back(i + 1);
  }

  bool null() override { return addValue(Json(nullptr)); }
  bool boolean(bool value) override { return addValue(Json(value)); }
  bool number_integer(number_integer_t value) override { return addValue(Json(value)); }
  bool number_unsigned(number_unsigned_t value) override { return addValue(Json(value)); }
  bool number_float(number_float_t value, const string_t &) override { return addValue(Json(value)); }
  bool string(string_t &value) override { return addValue(Json(value)); }
  bool binary(binary_t &value) override { return addValue(Json::binary(value)); }

  bool start_object(std::size_t) override { return openContainer(Json::object()); }
  bool start_array(std::size_t) override { return openContainer(Json::array()); }
  bool end_object() override { return closeContainer(); }
  bool end_array() override { return closeContainer(); }

  bool key(string_t &name) override {
    Frame &frame = stack_.back();
    if (frame.container->contains(name)) {
      unsigned line = currentLine();
      error_ = {line, 0, "duplicate key \"" + name + "\" in " + (frame.pointer.empty() ? "/" : frame.pointer)};
      return false;
    }
    frame.pendingKey = name;
    return true;
  }

  bool parse_error(std::size_t position, const std::string &, const nlohmann::detail::exception &exception) override {
    // nlohmann's message: "[json.exception.parse_error.101] parse error at
    // line 3, column 5: syntax error while parsing ..." -> keep the reason.
    std::string message = exception.what();
    size_t reason = message.find(": ", message.find("parse error"));
    if (reason != std::string::npos)
      message = message.substr(reason + 2);
    size_t offset = position == 0 ? 0 : position - 1;
    error_ = {lineAt(offset), columnAt(offset), message};
    return false;
  }

private:
  struct Frame {
    Json *container;
    std::string pointer;
    std::string pendingKey;
  };

  // Line of the last character consumed that is not whitespace: the end of
  // the token just reported.
  unsigned currentLine() const {
    size_t offset = std::min(consumed_, text_.size());
    while (offset > 0 && std::string_view(" \t\r\n").find(text_[offset - 1]) != std::string_view::npos)
      offset--;
    return lineAt(offset == 0 ? 0 : offset - 1);
  }
  unsigned lineAt(size_t offset) const {
    return unsigned(std::upper_bound(lineStarts_.begin(), lineStarts_.end(), offset) - lineStarts_.begin()) + 1;
  }
  unsigned columnAt(size_t offset) const {
    size_t line = lineAt(offset);
    size_t start = line == 1 ? 0 : lineStarts_[line - 2];
    return unsigned(offset - start + 1);
  }

  // Inserts `value` where the parser is and returns it with its pointer.
  std::pair<Json *, std::string> insert(Json value) {
    if (stack_.empty()) {
      out_.root = std::move(value);
      return {&out_.root, ""};
    }
    Frame &frame = stack_.back();
    if (frame.container->is_array()) {
      std::string pointer = childPointer(frame.pointer, frame.container->size());
      frame.container->push_back(std::move(value));
      return {&frame.container->back(), pointer};
    }
    std::string pointer = childPointer(frame.pointer, frame.pendingKey);
    Json &slot = (*frame.container)[frame.pendingKey];
    slot = std::move(value);
    return {&slot, pointer};
  }

  bool addValue(Json value) {
    auto [slot, pointer] = insert(std::move(value));
    out_.lines[pointer] = currentLine();
    return true;
  }
  bool openContainer(Json empty) {
    auto [slot, pointer] = insert(std::move(empty));
    out_.lines[pointer] = currentLine();
    stack_.push_back({slot, pointer, ""});
    return true;
  }
  bool closeContainer() {
    stack_.pop_back();
    return true;
  }

  const std::string &text_;
  const size_t &consumed_;
  LocatedJson &out_;
  JsonSyntaxError &error_;
  std::vector<size_t> lineStarts_;
  // Pointers into out_.root stay valid: a container's elements are only
  // appended to while it is the innermost open one, and ordered_json keeps
  // object members in a vector that grows only while the member being built
  // is its last one.
  std::vector<Frame> stack_;
};

std::string escapePointerToken(const std::string &token) {
  std::string escaped;
  for (char c : token) {
    if (c == '~')
      escaped += "~0";
    else if (c == '/')
      escaped += "~1";
    else
      escaped += c;
  }
  return escaped;
}

} // namespace

unsigned LocatedJson::lineOf(const std::string &pointer) const {
  // The value itself, or the closest enclosing value that has a position.
  std::string current = pointer;
  while (true) {
    auto found = lines.find(current);
    if (found != lines.end())
      return found->second;
    if (current.empty())
      return 0;
    current = current.substr(0, current.rfind('/'));
  }
}

std::optional<LocatedJson> parseLocatedJson(const std::string &text, JsonSyntaxError &error) {
  LocatedJson located;
  size_t consumed = 0;
  LocatingSaxBuilder builder(text, consumed, located, error);
  CountingIterator begin(text.data(), &consumed), end(text.data() + text.size(), &consumed);
  if (!Json::sax_parse(begin, end, &builder))
    return std::nullopt;
  return located;
}

std::string childPointer(const std::string &parent, const std::string &key) {
  return parent + "/" + escapePointerToken(key);
}

std::string childPointer(const std::string &parent, size_t index) { return parent + "/" + std::to_string(index); }

} // namespace ebpfc::suites
