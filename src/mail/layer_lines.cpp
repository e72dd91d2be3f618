// Line predicates of the layer splitter; see layer_lines.hpp. ASCII words are compared case-insensitively,
// Japanese words as written (mail text is not NFKC-normalised here; full-width forms are listed).
#include "layer_lines.hpp"

#include <array>
#include <initializer_list>
#include <string>

#include "preflight/util/strings.hpp"

namespace preflight::mail::layer_lines {

namespace {

constexpr std::string_view kIdeographicSpace = "\u3000";
constexpr std::size_t kMaxAttribution = 400;  // bytes: longer lines are prose, not an attribution

bool contains(std::string_view s, std::string_view w) { return s.find(w) != std::string_view::npos; }
bool contains_any(std::string_view s, std::initializer_list<std::string_view> words) {
  for (std::string_view w : words)
    if (contains(s, w)) return true;
  return false;
}
bool ends_with(std::string_view s, std::string_view w) { return s.size() >= w.size() && s.substr(s.size() - w.size()) == w; }
bool ends_with_any(std::string_view s, std::initializer_list<std::string_view> words) {
  for (std::string_view w : words)
    if (ends_with(s, w)) return true;
  return false;
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// "2026/11/23", "2026-11-23", "2026.11.23", "2026年11月23日".
bool starts_with_date(std::string_view s) {
  if (s.size() < 6 || !is_digit(s[0]) || !is_digit(s[1]) || !is_digit(s[2]) || !is_digit(s[3])) return false;
  const std::string_view rest = s.substr(4);
  return rest[0] == '/' || rest[0] == '-' || rest[0] == '.' || rest.substr(0, 3) == "年";
}

// The text between rules of at least two '-', '_' or '=' on each side ("----- Original Message -----").
bool between_rules(std::string_view s, std::string_view& inner) {
  const auto rule = [](char c) { return c == '-' || c == '_' || c == '='; };
  std::size_t b = 0, e = s.size();
  while (b < e && rule(s[b])) ++b;
  while (e > b && rule(s[e - 1])) --e;
  if (b < 2 || s.size() - e < 2) return false;
  inner = trim(s.substr(b, e - b));
  return !inner.empty();
}

bool one_of(std::string_view s, std::initializer_list<std::string_view> words) {
  for (std::string_view w : words)
    if (s == w) return true;
  return false;
}

// Rule characters beyond ASCII: box drawing, full-width and ideographic marks Japanese signatures use.
constexpr std::array<std::string_view, 22> kRuleMarks{"━", "─", "═", "＿", "－", "＝", "～", "〜", "＊", "―", "‐", "■", "□", "◆", "◇",
                                                       "★", "☆", "●", "○", "◎", "┏", "┗"};

std::size_t rule_mark(std::string_view s, std::size_t i) {
  if (std::string_view("-=_*~#+").find(s[i]) != std::string_view::npos) return 1;
  for (std::string_view m : kRuleMarks)
    if (s.compare(i, m.size(), m) == 0) return m.size();
  return 0;
}

}  // namespace

std::string_view trim(std::string_view s) {
  for (;;) {
    const std::size_t before = s.size();
    s = util::trim(s);
    if (s.substr(0, 3) == kIdeographicSpace) s.remove_prefix(3);
    if (ends_with(s, kIdeographicSpace)) s.remove_suffix(3);
    if (s.size() == before) return s;
  }
}

bool quote_line(std::string_view line) {
  const std::string_view s = trim(line);
  return (!s.empty() && s[0] == '>') || s.substr(0, 3) == "＞";
}

bool attribution(std::string_view line) {
  line = trim(line);
  if (line.size() > kMaxAttribution) return false;
  const std::string s = util::to_lower(line);
  if (ends_with_any(s, {"wrote:", "wrote :", "writes:", "書きました:", "書きました：", "のメール:", "のメール：",
                        "のメッセージ:", "のメッセージ："}))
    return true;
  return starts_with_date(s) && ends_with_any(s, {":", "："}) && contains_any(s, {"@", "<"});
}

bool strong_attribution(std::string_view line) {
  line = trim(line);
  if (!attribution(line)) return false;
  return util::istarts_with(line, "on ") || starts_with_date(line) || contains(line, "@") ||
         ends_with_any(line, {"書きました:", "書きました："});
}

bool original_marker(std::string_view line) {
  std::string_view inner;
  if (!between_rules(trim(line), inner)) return false;
  return one_of(util::to_lower(inner), {"original message", "original", "元のメッセージ", "オリジナルメッセージ"});
}

bool forward_marker(std::string_view line) {
  line = trim(line);
  const std::string s = util::to_lower(line);
  if (one_of(s, {"begin forwarded message:", "begin forwarded message：", "転送されたメッセージ:", "転送されたメッセージ："}))
    return true;
  std::string_view inner;
  if (!between_rules(line, inner)) return false;
  return one_of(util::to_lower(inner),
                {"forwarded message", "forwarded message follows", "forwarded", "転送メッセージ", "転送されたメッセージ"});
}

Field header_field(std::string_view line) {
  struct Name {
    std::string_view name;
    Field field;
  };
  static constexpr std::array<Name, 13> names{{{"from", Field::From},     {"sent", Field::Date},     {"date", Field::Date},
                                               {"to", Field::To},         {"cc", Field::Cc},         {"subject", Field::Subject},
                                               {"差出人", Field::From},   {"送信者", Field::From},   {"送信日時", Field::Date},
                                               {"日付", Field::Date},     {"日時", Field::Date},     {"宛先", Field::To},
                                               {"件名", Field::Subject}}};
  std::string_view s = trim(line);
  while (!s.empty() && s[0] == '*') s.remove_prefix(1);
  for (const Name& n : names) {
    if (!util::istarts_with(s, n.name)) continue;
    std::string_view rest = s.substr(n.name.size());
    while (!rest.empty() && (rest[0] == '*' || rest[0] == ' ')) rest.remove_prefix(1);
    if (rest.substr(0, 1) == ":" || rest.substr(0, 3) == "：") return n.field;
  }
  return Field::None;
}

bool signature_delimiter(std::string_view line) { return trim(line) == "--"; }

bool separator_line(std::string_view line) {
  const std::string_view s = trim(line);
  int marks = 0;
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] == ' ' || s[i] == '\t') {
      ++i;
      continue;
    }
    const std::size_t len = rule_mark(s, i);
    if (len == 0) return false;
    ++marks, i += len;
  }
  return marks >= 3;
}

bool contact_line(std::string_view line) {
  const std::string s = util::to_lower(line);
  return contains_any(s, {"tel", "fax", "phone", "mobile", "mail", "http", "www.", "@", "〒", "電話", "携帯", "株式会社",
                          "(株)", "㈱", "有限会社", "co.,", "ltd", "inc.", "ＴＥＬ", "Ｔｅｌ", "ｔｅｌ", "ＦＡＸ"});
}

bool disclaimer(std::string_view paragraph) {
  const std::string s = util::to_lower(paragraph);
  if (contains_any(s, {"confidentiality notice", "confidentiality note", "disclaimer"})) return true;
  if (contains(s, "intended") && contains_any(s, {"recipient", "addressee"})) return true;
  if (contains(s, "received this") && contains(s, "error")) return true;
  return contains_any(s, {"本メール", "このメール", "本電子メール", "当メール", "本メッセージ", "このメッセージ", "このe-mail", "本e-mail"}) &&
         contains_any(s, {"誤って", "誤送信", "誤り", "削除", "破棄", "心当たり"});
}

int digits(std::string_view text) {
  int n = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (is_digit(text[i])) ++n;
    else if (text.compare(i, 2, "\xEF\xBC") == 0 && i + 2 < text.size() &&
             static_cast<unsigned char>(text[i + 2]) >= 0x90 && static_cast<unsigned char>(text[i + 2]) <= 0x99)
      ++n, i += 2;
  }
  return n;
}

}  // namespace preflight::mail::layer_lines
