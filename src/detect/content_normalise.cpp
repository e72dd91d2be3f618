// Text normalisation for the content checks: NFKC without GLib's per-character cost, and the
// digit-separator folding of normalise_text(). nfkc_fast() yields exactly util::nfkc()'s bytes: GLib is
// still the reference, it is only called on the short stretches that really change.
//
// Why this shape: g_utf8_normalize runs at well under 100 MB/s, and almost all mail text is already NFKC
// (kana, kanji, ASCII). So we walk the text once; ASCII is skipped 16 bytes at a time, every other
// character is looked up in a table of "NFKC-stable starters" built from GLib itself at first use.
// Full-width ASCII (U+FF01..FF5E) and U+3000, frequent in Japanese text, are mapped inline. Anything else
// (half-width kana, ①, ㈱, combining marks, invalid bytes) is handed to util::nfkc together with the
// character before it (it may compose with it) and up to the next stable character.
#include <glib.h>

#include <array>
#include <bitset>
#include <memory>

#include "content_text.hpp"
#include "preflight/detect/content.hpp"
#include "preflight/util/charset.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace preflight::detect {
namespace content_text {

namespace {

// Bit set for each BMP code point that NFKC leaves alone in any context: maps to itself, combining class
// 0, and not the second half of a composition (marks, Hangul vowel/trailing jamo).
using StableSet = std::bitset<0x10000>;

bool stable_by_glib(gunichar c) {
  if (g_unichar_combining_class(c) != 0) return false;
  const GUnicodeType t = g_unichar_type(c);
  if (t == G_UNICODE_NON_SPACING_MARK || t == G_UNICODE_SPACING_MARK || t == G_UNICODE_ENCLOSING_MARK) return false;
  if (c >= 0x1100 && c <= 0x11FF) return false;
  std::array<gchar, 8> buf{};
  const gint len = g_unichar_to_utf8(c, buf.data());
  gchar* n = g_utf8_normalize(buf.data(), len, G_NORMALIZE_NFKC);
  const bool same = n && std::string_view(n) == std::string_view(buf.data(), static_cast<std::size_t>(len));
  g_free(n);
  return same;
}

const StableSet& stable_set() {
  static const std::unique_ptr<StableSet> set = [] {
    auto s = std::make_unique<StableSet>();
    for (gunichar c = 0x80; c < 0x10000; ++c)
      if (c < 0xD800 || c > 0xDFFF) (*s)[c] = stable_by_glib(c);
    return s;
  }();
  return *set;
}

// Outside the BMP only emoji and CJK extension B are common in mail; both are NFKC-stable starters.
bool stable_astral(char32_t c) { return (c >= 0x1F300 && c <= 0x1FAFF) || (c >= 0x20000 && c <= 0x2A6DF); }

// Decodes the well-formed sequence at s[i] (RFC 3629). Returns its length, 0 if ill-formed.
std::size_t decode(std::string_view s, std::size_t i, char32_t& cp) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char b0 = b(0);
  std::size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) len = 2, cp = b0 & 0x1F;
  else if (b0 >= 0xE0 && b0 <= 0xEF) len = 3, cp = b0 & 0x0F, lo = b0 == 0xE0 ? 0xA0 : 0x80, hi = b0 == 0xED ? 0x9F : 0xBF;
  else if (b0 >= 0xF0 && b0 <= 0xF4) len = 4, cp = b0 & 0x07, lo = b0 == 0xF0 ? 0x90 : 0x80, hi = b0 == 0xF4 ? 0x8F : 0xBF;
  else return 0;
  if (i + len > s.size() || b(1) < lo || b(1) > hi) return 0;
  cp = (cp << 6) | (b(1) & 0x3F);
  for (std::size_t k = 2; k < len; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(k) & 0x3F);
  }
  return len;
}

std::size_t skip_ascii(std::string_view s, std::size_t i) {
#if defined(__SSE2__)
  for (; i + 16 <= s.size(); i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    const int mask = _mm_movemask_epi8(v);
    if (mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
  }
#endif
  while (i < s.size() && static_cast<unsigned char>(s[i]) < 0x80) ++i;
  return i;
}

// How the walk treats one non-ASCII character.
enum class Kind { Stable, Mapped, Unstable };

Kind classify(std::string_view s, std::size_t i, const StableSet& stable, std::size_t& len, char& mapped) {
  char32_t cp = 0;
  len = decode(s, i, cp);
  if (len == 0) {
    len = 1;  // an ill-formed byte: util::nfkc turns it into U+FFFD
    return Kind::Unstable;
  }
  if (cp >= 0xFF01 && cp <= 0xFF5E) {
    mapped = static_cast<char>(cp - 0xFEE0);  // full-width ASCII
    return Kind::Mapped;
  }
  if (cp == 0x3000) {
    mapped = ' ';
    return Kind::Mapped;
  }
  const bool ok = cp < 0x10000 ? stable[cp] : stable_astral(cp);
  return ok ? Kind::Stable : Kind::Unstable;
}

// The walk's state: output is built lazily, only once something changes.
struct Walk {
  std::string_view in;
  std::string& out;
  bool changed = false;
  std::size_t copied = 0;                  // in[0, copied) is represented in out
  std::size_t prev = std::string::npos;    // start of the previous character in `in`
  std::size_t prev_mark = std::string::npos;  // out.size() before the previous character, if it was rewritten

  void flush_to(std::size_t pos) {
    if (!changed) out.clear(), changed = true;
    out.append(in.data() + copied, pos - copied);
    copied = pos;
  }
};

// Normalises the unstable stretch starting at in[i] together with the character before it.
std::size_t normalise_stretch(Walk& w, std::size_t i, const StableSet& stable) {
  std::size_t start = i;
  if (w.prev != std::string::npos) {
    start = w.prev;
    if (w.prev_mark != std::string::npos) {
      w.out.resize(w.prev_mark);  // un-map it: the original goes into the stretch
      w.copied = start;
    }
  }
  w.flush_to(start);
  std::size_t len = 0;
  char mapped = 0;
  classify(w.in, i, stable, len, mapped);
  std::size_t j = i + len;
  while (j < w.in.size() && static_cast<unsigned char>(w.in[j]) >= 0x80 &&
         classify(w.in, j, stable, len, mapped) == Kind::Unstable)
    j += len;
  w.out += util::nfkc(w.in.substr(start, j - start));
  w.copied = j;
  w.prev = w.prev_mark = std::string::npos;
  return j;
}

}  // namespace

std::string_view nfkc_fast(std::string_view utf8, std::string& storage) {
  const StableSet& stable = stable_set();
  Walk w{utf8, storage};
  std::size_t i = 0;
  while (i < utf8.size()) {
    const std::size_t next = skip_ascii(utf8, i);
    if (next != i) w.prev = next - 1, w.prev_mark = std::string::npos, i = next;
    if (i >= utf8.size()) break;
    std::size_t len = 0;
    char mapped = 0;
    switch (classify(utf8, i, stable, len, mapped)) {
      case Kind::Stable:
        w.prev = i, w.prev_mark = std::string::npos, i += len;
        break;
      case Kind::Mapped:
        w.flush_to(i);
        w.prev = i, w.prev_mark = storage.size();
        storage.push_back(mapped);
        i += len, w.copied = i;
        break;
      case Kind::Unstable:
        i = normalise_stretch(w, i, stable);
        break;
    }
  }
  if (!w.changed) return utf8;
  w.flush_to(utf8.size());
  return storage;
}

std::size_t separator_length(std::string_view t, std::size_t i) {
  const auto at = [&](std::size_t k) { return static_cast<unsigned char>(t[i + k]); };
  const unsigned char c = at(0);
  if (c == ' ' || c == '-') return 1;
  if ((c != 0xE2 && c != 0xE3) || i + 3 > t.size()) return 0;
  if (c == 0xE2 && at(1) == 0x80 && at(2) >= 0x90 && at(2) <= 0x95) return 3;  // U+2010..U+2015
  if (c == 0xE2 && at(1) == 0x88 && at(2) == 0x92) return 3;                    // U+2212 minus
  if (c == 0xE3 && at(1) == 0x83 && at(2) == 0xBC) return 3;                    // U+30FC ー
  return 0;
}

std::size_t find_digit_or_at(std::string_view s, std::size_t i) {
#if defined(__SSE2__)
  const __m128i zero = _mm_set1_epi8('0'), nine = _mm_set1_epi8(9), at = _mm_set1_epi8('@');
  for (; i + 16 <= s.size(); i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    const __m128i d = _mm_sub_epi8(v, zero);  // digits become 0..9, unsigned
    const __m128i is_digit = _mm_cmpeq_epi8(_mm_min_epu8(d, nine), d);
    const int mask = _mm_movemask_epi8(_mm_or_si128(is_digit, _mm_cmpeq_epi8(v, at)));
    if (mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
  }
#endif
  while (i < s.size() && !is_digit(s[i]) && s[i] != '@') ++i;
  return i;
}

}  // namespace content_text

// Folding drops one separator that has a digit on each side ("1234-5678" -> "12345678"); a run of several
// separators is left alone, so table columns such as "10  20" stay apart.
std::string normalise_text(std::string_view utf8) {
  using namespace content_text;
  std::string storage;
  const std::string_view text = nfkc_fast(utf8, storage);
  std::string out;
  out.reserve(text.size());
  std::size_t copied = 0;
  for (std::size_t i = find_digit_or_at(text, 0); i < text.size(); i = find_digit_or_at(text, i)) {
    if (!is_digit(text[i])) {
      ++i;
      continue;
    }
    while (i < text.size() && is_digit(text[i])) ++i;
    if (i >= text.size()) break;
    const std::size_t sep = separator_length(text, i);
    if (sep == 0 || i + sep >= text.size() || !is_digit(text[i + sep])) continue;
    out.append(text.substr(copied, i - copied));
    copied = i + sep;
    i += sep;
  }
  out.append(text.substr(copied));
  return out;
}

}  // namespace preflight::detect
