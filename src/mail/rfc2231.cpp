// header_param(): one parameter of a Content-Type / Content-Disposition value; see header_decode.hpp.
// Accepts everything seen in Japanese mail: RFC 2231 (charset'lang'%XX, continuations, both mixed),
// RFC 2047 words inside quotes or split over continuations, and raw 8-bit bytes in any value.
#include <map>

#include "preflight/mail/header_decode.hpp"
#include "preflight/util/charset.hpp"
#include "preflight/util/strings.hpp"

namespace preflight::mail {

namespace {

// Beyond this a continuation index is noise, not a file name.
constexpr unsigned kMaxSection = 999;

struct Section {
  bool extended;  // "name*N*=": percent-encoded
  std::string value;
};

// Everything the header says about one parameter; RFC 2231 forms win over the plain one.
struct Collected {
  std::optional<std::string> plain;
  std::optional<std::string> extended;
  std::map<unsigned, Section> sections;
};

// Raw 8-bit values are converted as a whole before parsing: a CP932 trail byte 0x5C would otherwise
// read as a quoted-pair backslash and eat the next character.
std::string prepare(std::string_view raw) {
  std::string s;
  s.reserve(raw.size());
  bool eight_bit = false;
  for (char c : raw) {
    if (c == '\r' || c == '\n') continue;
    eight_bit = eight_bit || static_cast<unsigned char>(c) >= 0x80 || c == '\x1B';
    s.push_back(c);
  }
  return eight_bit ? util::guess_to_utf8(s) : s;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// Reads a value at `i` (quoted-string or token) and leaves `i` at the ';' ending the parameter.
std::string read_value(std::string_view s, std::size_t& i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  std::string out;
  if (i < s.size() && s[i] == '"') {
    for (++i; i < s.size() && s[i] != '"'; ++i) {
      // Only \" and \\ are quoted-pairs here: Windows paths keep their other backslashes.
      if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == '"' || s[i + 1] == '\\')) ++i;
      out.push_back(s[i]);
    }
    while (i < s.size() && s[i] != ';') ++i;
    return out;
  }
  const std::size_t start = i;
  while (i < s.size() && s[i] != ';') ++i;
  return std::string(util::trim(s.substr(start, i - start)));
}

// Files the value under its form: "name", "name*", "name*N" or "name*N*". Other names are ignored.
void collect(std::string_view attribute, std::string_view name, std::string value, Collected& c) {
  const std::size_t star = attribute.find('*');
  if (!util::iequals(attribute.substr(0, star), name)) return;
  if (star == std::string_view::npos) {
    if (!c.plain) c.plain = std::move(value);
    return;
  }
  std::string_view rest = attribute.substr(star + 1);
  if (rest.empty()) {
    if (!c.extended) c.extended = std::move(value);
    return;
  }
  const bool extended = rest.back() == '*';
  if (extended) rest.remove_suffix(1);
  if (rest.empty() || rest.size() > 3 || rest.find_first_not_of("0123456789") != std::string_view::npos) return;
  const unsigned n = static_cast<unsigned>(std::stoul(std::string(rest)));
  if (n <= kMaxSection) c.sections.try_emplace(n, Section{extended, std::move(value)});
}

Collected parse_params(std::string_view s, std::string_view name) {
  Collected c;
  std::size_t i = 0;
  // The leading type or disposition ("attachment", "text/plain") has no '='; skip it.
  const std::size_t first_semi = s.find(';');
  if (s.substr(0, first_semi).find('=') == std::string_view::npos) i = first_semi;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ';' || s[i] == ' ' || s[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < s.size() && s[i] != '=' && s[i] != ';') ++i;
    if (i >= s.size() || s[i] != '=') continue;
    const std::string_view attribute = util::trim(s.substr(start, i - start));
    ++i;
    collect(attribute, name, read_value(s, i), c);
  }
  return c;
}

// "charset'lang'%XX..." -> bytes and charset. Without the two quotes the whole value is percent-encoded
// text of unknown charset.
std::string decode_extended(std::string_view value, std::string& charset) {
  const std::size_t q1 = value.find('\'');
  const std::size_t q2 = q1 == std::string_view::npos ? q1 : value.find('\'', q1 + 1);
  if (q2 == std::string_view::npos) return percent_decode(value);
  charset = std::string(value.substr(0, q1));
  return percent_decode(value.substr(q2 + 1));
}

// Sections are joined as bytes before any conversion: both a multi-byte character and an encoded-word
// may be cut at a section boundary.
std::string join_sections(const std::map<unsigned, Section>& sections) {
  std::string charset;
  std::string bytes;
  bool any_extended = false;
  for (const auto& [n, section] : sections) {
    if (!section.extended) {
      bytes += section.value;
    } else if (n == sections.begin()->first) {
      bytes += decode_extended(section.value, charset);
    } else {
      bytes += percent_decode(section.value);
    }
    any_extended = any_extended || section.extended;
  }
  return any_extended ? util::to_utf8(bytes, charset) : decode_header_text(bytes);
}

}  // namespace

std::optional<std::string> header_param(std::string_view raw_value, std::string_view name) {
  const std::string s = prepare(raw_value);
  Collected c = parse_params(s, name);
  if (c.extended) {
    std::string charset;
    std::string bytes = decode_extended(*c.extended, charset);
    return util::to_utf8(bytes, charset);
  }
  if (!c.sections.empty()) return join_sections(c.sections);
  if (c.plain) return decode_header_text(*c.plain);
  return std::nullopt;
}

}  // namespace preflight::mail
