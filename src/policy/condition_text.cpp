// Condition leaf parser; see condition_text.hpp.
#include "condition_text.hpp"

#include <cctype>
#include <charconv>

namespace preflight::policy {

namespace {

using detect::FactType;

struct Cursor {
  std::string_view s;
  std::size_t pos = 0;
  void skip_blanks() {
    while (pos < s.size() && std::isspace(static_cast<unsigned char>(s[pos]))) ++pos;
  }
  bool done() { skip_blanks(); return pos >= s.size(); }
  std::string_view word() {
    skip_blanks();
    std::size_t b = pos;
    while (pos < s.size() && !std::isspace(static_cast<unsigned char>(s[pos]))) ++pos;
    return s.substr(b, pos - b);
  }
};

bool parse_op(std::string_view w, Op& op) {
  static const std::pair<std::string_view, Op> ops[] = {
      {">=", Op::Ge}, {"<=", Op::Le}, {">", Op::Gt},   {"<", Op::Lt},
      {"==", Op::Eq}, {"!=", Op::Ne}, {"contains", Op::Contains}, {"matches", Op::Matches}};
  for (const auto& [text, o] : ops)
    if (w == text) return op = o, true;
  return false;
}

// Reads the literal at the cursor; quoted strings may contain blanks and \" escapes.
bool parse_literal(Cursor& c, detect::FactValue& out, std::string& error) {
  c.skip_blanks();
  if (c.pos < c.s.size() && c.s[c.pos] == '"') {
    std::string text;
    for (++c.pos; c.pos < c.s.size() && c.s[c.pos] != '"'; ++c.pos) {
      if (c.s[c.pos] == '\\' && c.pos + 1 < c.s.size()) ++c.pos;
      text += c.s[c.pos];
    }
    if (c.pos >= c.s.size()) return error = "unterminated quoted string", false;
    ++c.pos;
    out = text;
    return true;
  }
  std::string_view w = c.word();
  if (w.empty()) return error = "a value is missing after the operator", false;
  if (w == "true" || w == "false") return out = (w == "true"), true;
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), n);
  if (ec == std::errc() && end == w.data() + w.size()) return out = n, true;
  out = std::string(w);
  return true;
}

std::string check_types(FactType type, Op op, const detect::FactValue& lit) {
  bool numeric_op = op == Op::Lt || op == Op::Le || op == Op::Gt || op == Op::Ge;
  bool text_op = op == Op::Contains || op == Op::Matches;
  switch (type) {
    case FactType::Number:
      if (text_op) return "'contains'/'matches' need a text or list fact";
      if (!std::holds_alternative<std::int64_t>(lit)) return "this fact is a number: compare it with a number";
      return {};
    case FactType::Bool:
      if (op != Op::Eq && op != Op::Ne) return "a boolean fact takes only == or != (or stands alone)";
      if (!std::holds_alternative<bool>(lit)) return "compare a boolean fact with true or false";
      return {};
    case FactType::Text:
    case FactType::List:
      if (numeric_op) return "this fact is " + std::string(detect::type_name(type)) + ": use ==, !=, contains or matches";
      if (type == FactType::List && (op == Op::Eq || op == Op::Ne)) return "a list takes contains or matches";
      if (!std::holds_alternative<std::string>(lit)) return "compare this fact with a quoted string";
      return {};
  }
  return {};
}

}  // namespace

LeafResult parse_leaf(std::string_view text) {
  LeafResult r;
  r.condition.text = std::string(text);
  Cursor c{text};
  c.skip_blanks();
  std::size_t fact_pos = c.pos;
  r.condition.fact = std::string(c.word());
  const detect::FactInfo* info = detect::find_fact(r.condition.fact);
  if (!info) {
    r.error = r.condition.fact.empty() ? "empty condition" : "unknown fact '" + r.condition.fact + "'";
    r.error_offset = static_cast<int>(fact_pos);
    return r;
  }
  if (c.done()) {
    if (info->type != FactType::Bool)
      r.error = "'" + r.condition.fact + "' is a " + detect::type_name(info->type) + ": add an operator and a value";
    return r;
  }
  std::size_t op_pos = c.pos;
  if (!parse_op(c.word(), r.condition.op)) {
    r.error = "expected an operator (>= <= > < == != contains matches)";
    r.error_offset = static_cast<int>(op_pos);
    return r;
  }
  std::size_t lit_pos = c.pos;
  if (!parse_literal(c, r.condition.literal, r.error) ||
      !(r.error = check_types(info->type, r.condition.op, r.condition.literal)).empty()) {
    r.error_offset = static_cast<int>(lit_pos);
    return r;
  }
  if (!c.done()) {
    r.error = "unexpected text after the value (combine conditions with all:/any:/not:)";
    r.error_offset = static_cast<int>(c.pos);
  }
  return r;
}

}  // namespace preflight::policy
