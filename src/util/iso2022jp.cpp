// ISO-2022-JP -> CP932 byte rewriting; see iso2022jp.hpp. Works on whole strings with an index that only
// moves forward, so hostile input (truncated escapes, odd pair counts) cannot loop or overrun.
#include "preflight/util/iso2022jp.hpp"

#include <cstddef>

namespace preflight::util {

namespace {

constexpr unsigned char kEsc = 0x1B;
constexpr unsigned char kShiftOut = 0x0E;  // JIS7 katakana shift, still seen from old gateways
constexpr unsigned char kShiftIn = 0x0F;

// Graphic sets a designation can select; the "Foreign" ones (GB2312, KS C 5601, JIS X 0212, Latin G2)
// have no CP932 equivalent, so their characters become U+FFFD rather than mojibake.
enum class Set { Ascii, Kanji, Kana, Foreign1, Foreign2 };

struct Escape {
  std::size_t length;  // bytes consumed, 0 if not a known sequence
  bool designates;     // false for announcers and G2 designations, which change nothing here
  Set set;
};

Set two_byte_final(char f) {
  // '@' JIS C 6226, 'B' JIS X 0208, 'Q'/'O' JIS X 0213 plane 1 (a superset; its common part maps the same).
  return (f == '@' || f == 'B' || f == 'Q' || f == 'O') ? Set::Kanji : Set::Foreign2;
}

Escape parse_escape(std::string_view s, std::size_t i) {
  if (i + 2 >= s.size()) return {0, false, Set::Ascii};
  const char a = s[i + 1];
  const char b = s[i + 2];
  if (a == '(') {
    if (b == 'B' || b == 'J' || b == 'H') return {3, true, Set::Ascii};
    if (b == 'I') return {3, true, Set::Kana};
    return {3, true, Set::Foreign1};
  }
  if (a == '$' && b == '(') {
    if (i + 3 >= s.size()) return {0, false, Set::Ascii};
    return {4, true, two_byte_final(s[i + 3])};
  }
  if (a == '$') return {3, true, two_byte_final(b)};
  if (a == '&' && b == '@') return {3, false, Set::Ascii};  // JIS X 0208-1990 announcer
  if (a == '.' || a == '-') return {3, false, Set::Ascii};  // G2/G1 96-sets: only used via single shift
  if (a == 'N') return {3, false, Set::Foreign1};           // single shift G2: one foreign character
  return {0, false, Set::Ascii};
}

bool jis_byte(unsigned char c) { return c >= 0x21 && c <= 0x7E; }

// The classic JIS -> Shift_JIS arithmetic; it is a bijection over all 94x94 cells, so vendor rows
// (NEC row 13, NEC-selected IBM rows 89-92) land where CP932 expects them.
void append_sjis(std::string& out, unsigned char j1, unsigned char j2) {
  const unsigned s1 = ((j1 + 1u) >> 1) + (j1 <= 0x5E ? 0x70u : 0xB0u);
  unsigned s2 = j2;
  if (j1 & 1u)
    s2 += (j2 >= 0x60) ? 0x20u : 0x1Fu;
  else
    s2 += 0x7Eu;
  out.push_back(static_cast<char>(s1));
  out.push_back(static_cast<char>(s2));
}

// One byte (or pair) of text in the current set; returns how many input bytes were used.
std::size_t emit(std::string_view s, std::size_t i, Set set, bool shifted, std::string& out) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x21 && c != kEsc) {  // controls and space mean the same in every set
    out.push_back(static_cast<char>(c));
    return 1;
  }
  if (shifted || set == Set::Kana) {
    if (c >= 0x21 && c <= 0x5F) out.push_back(static_cast<char>(c + 0x80));
    else if (c >= 0xA1 && c <= 0xDF) out.push_back(static_cast<char>(c));  // JIS8 katakana
    else out.push_back(kCp932Invalid);
    return 1;
  }
  switch (set) {
    case Set::Ascii:  // 8-bit bytes pass through: mislabeled Shift_JIS then still decodes
      out.push_back(static_cast<char>(c));
      return 1;
    case Set::Foreign1:
      out.push_back(kCp932Invalid);
      return 1;
    default:
      break;
  }
  if (!jis_byte(c) || i + 1 >= s.size() || !jis_byte(static_cast<unsigned char>(s[i + 1]))) {
    out.push_back(kCp932Invalid);
    return 1;
  }
  if (set == Set::Kanji) append_sjis(out, c, static_cast<unsigned char>(s[i + 1]));
  else out.push_back(kCp932Invalid);
  return 2;
}

}  // namespace

std::string iso2022jp_to_cp932(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  Set set = Set::Ascii;
  bool shifted = false;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == kEsc) {
      const Escape e = parse_escape(s, i);
      if (e.length == 0) {
        out.push_back(kCp932Invalid);
        ++i;
        continue;
      }
      if (e.designates) set = e.set;
      else if (e.set == Set::Foreign1) out.push_back(kCp932Invalid);
      i += e.length;
      continue;
    }
    if (c == kShiftOut || c == kShiftIn) {
      shifted = (c == kShiftOut);
      ++i;
      continue;
    }
    if (c == '\n') set = Set::Ascii;  // a mailer that forgot ESC ( B must not garble the next line
    i += emit(s, i, set, shifted, out);
  }
  return out;
}

bool has_jis_escape(std::string_view s) {
  for (std::size_t i = 0; i + 2 < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) != kEsc) continue;
    const char a = s[i + 1];
    const char b = s[i + 2];
    if (a == '$' && (b == '@' || b == 'B' || b == '(')) return true;
    if (a == '(' && (b == 'B' || b == 'J' || b == 'I')) return true;
  }
  return false;
}

}  // namespace preflight::util
