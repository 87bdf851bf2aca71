#include "suites/SuiteJsonWriter.h"

#include <optional>

namespace ebpfc::suites {
namespace {

constexpr size_t kLineWidth = 100;
// Longer strings (hex lines, trace lines) get a line each.
constexpr size_t kInlineStringLength = 16;

std::string scalar(const Json &node) { return node.dump(-1, ' ', false); }

bool isScalar(const Json &node) { return !node.is_object() && !node.is_array(); }

// The one-line form of `node`, if it may be written on one line at all.
std::optional<std::string> inlineForm(const Json &node) {
  if (isScalar(node))
    return scalar(node);
  if (node.is_array()) {
    std::string text = "[";
    for (const Json &element : node) {
      if (!isScalar(element) || (element.is_string() && element.get_ref<const std::string &>().size() > kInlineStringLength))
        return std::nullopt;
      text += (text.size() > 1 ? ", " : "") + scalar(element);
    }
    return text + "]";
  }
  std::string text = "{";
  for (const auto &[key, value] : node.items()) {
    std::optional<std::string> valueText = inlineForm(value);
    if (!valueText)
      return std::nullopt;
    text += (text.size() > 1 ? ", " : "") + Json(key).dump() + ": " + *valueText;
  }
  return text + "}";
}

void write(const Json &node, size_t indent, size_t prefixLength, std::string &out) {
  if (isScalar(node)) {
    out += scalar(node); // however long: strings are never broken
    return;
  }
  if (std::optional<std::string> oneLine = inlineForm(node); oneLine && indent + prefixLength + oneLine->size() <= kLineWidth) {
    out += *oneLine;
    return;
  }
  std::string inner(indent + 2, ' ');
  if (node.is_array()) {
    out += "[\n";
    for (size_t i = 0; i < node.size(); i++) {
      out += inner;
      write(node[i], indent + 2, 0, out);
      out += i + 1 < node.size() ? ",\n" : "\n";
    }
    out += std::string(indent, ' ') + "]";
    return;
  }
  out += "{\n";
  size_t remaining = node.size();
  for (const auto &[key, value] : node.items()) {
    std::string keyText = Json(key).dump() + ": ";
    out += inner + keyText;
    write(value, indent + 2, keyText.size(), out);
    out += --remaining ? ",\n" : "\n";
  }
  out += std::string(indent, ' ') + "}";
}

} // namespace

std::string writeSuiteJson(const Json &root) {
  std::string out;
  write(root, 0, 0, out);
  return out + "\n";
}

} // namespace ebpfc::suites
