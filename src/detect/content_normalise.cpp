// Text normalisation for the content checks: NFKC without GLib's per-character cost, and the
// digit-separator folding of normalise_text(). nfkc_fast() yields exactly util::nfkc()'s bytes: GLib is
// still the reference, it is only called on the short stretches that really change.
//
// Why this shape: g_utf8_normalize runs at well under 100 MB/s, and almost all mail text is already NFKC
// (kana, kanji, ASCII). So we walk the text once: runs of ASCII, kanji, kana and CJK punctuation are skipped
// sixteen bytes at a time by their bytes alone (skip_stable_blocks), every other character is looked up in
// a table of "NFKC-stable starters" built from GLib itself at first use.
// Full-width ASCII (U+FF01..FF5E) and U+3000, frequent in Japanese text, are mapped inline. Anything else
// (half-width kana, ①, ㈱, combining marks, invalid bytes) is handed to util::nfkc together with the
// character before it (it may compose with it) and up to the next stable character.
#include <glib.h>

#include <array>
#include <bit>
#include <cstring>
#include <cstdint>
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
struct StableSet {
  std::array<std::uint64_t, 0x10000 / 64> words{};
  bool operator[](char32_t c) const { return (words[c >> 6] >> (c & 63)) & 1; }
  void set(char32_t c) { words[c >> 6] |= std::uint64_t{1} << (c & 63); }
};

// Half-width katakana (U+FF61..FF9F) are common in Japanese mail (bank and legacy-system text), so their
// NFKC forms, alone and followed by the half-width voiced marks ﾞ/ﾟ (ｶﾞ -> ガ), are tabled as well.
constexpr char32_t kHalfFirst = 0xFF61, kHalfLast = 0xFF9F;
constexpr std::size_t kHalfCount = kHalfLast - kHalfFirst + 1;

struct Tables {
  StableSet stable;
  std::array<std::string, kHalfCount> half;                      // NFKC of the character alone
  std::array<std::array<std::string, 2>, kHalfCount> half_voiced;  // ... followed by U+FF9E / U+FF9F
};

std::string glib_nfkc(std::u32string_view cps) {
  std::string utf8;
  for (char32_t c : cps) {
    std::array<gchar, 8> buf{};
    utf8.append(buf.data(), static_cast<std::size_t>(g_unichar_to_utf8(c, buf.data())));
  }
  gchar* n = g_utf8_normalize(utf8.data(), static_cast<gssize>(utf8.size()), G_NORMALIZE_NFKC);
  std::string out = n ? n : "";
  g_free(n);
  return out;
}

bool stable_by_glib(char32_t c) {
  if (g_unichar_combining_class(c) != 0) return false;
  const GUnicodeType t = g_unichar_type(c);
  if (t == G_UNICODE_NON_SPACING_MARK || t == G_UNICODE_SPACING_MARK || t == G_UNICODE_ENCLOSING_MARK) return false;
  if (c >= 0x1100 && c <= 0x11FF) return false;
  const char32_t one[1] = {c};
  std::array<gchar, 8> buf{};
  const gint len = g_unichar_to_utf8(c, buf.data());
  return glib_nfkc({one, 1}) == std::string_view(buf.data(), static_cast<std::size_t>(len));
}

const Tables& tables() {
  static const std::unique_ptr<Tables> t = [] {
    auto p = std::make_unique<Tables>();
    for (char32_t c = 0x80; c < 0x10000; ++c)
      if ((c < 0xD800 || c > 0xDFFF) && stable_by_glib(c)) p->stable.set(c);
    for (std::size_t k = 0; k < kHalfCount; ++k) {
      const char32_t c = kHalfFirst + static_cast<char32_t>(k);
      p->half[k] = glib_nfkc(std::u32string{c});
      p->half_voiced[k][0] = glib_nfkc(std::u32string{c, 0xFF9E});
      p->half_voiced[k][1] = glib_nfkc(std::u32string{c, 0xFF9F});
    }
    return p;
  }();
  return *t;
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

// " " then the printable ASCII characters: the NFKC forms of U+3000 and U+FF01..FF5E.
constexpr std::string_view kAscii = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";

// Half-width katakana at s[i] (three bytes, code point cp), with a voiced mark after it if there is one.
Kind half_width(std::string_view s, std::size_t i, char32_t cp, const Tables& t, std::size_t& len,
                std::string_view& mapped) {
  if (cp >= 0xFF9E) return Kind::Unstable;  // a lone voiced mark combines with what precedes it
  const std::size_t k = cp - kHalfFirst;
  char32_t next = 0;
  if (i + 6 <= s.size() && decode(s, i + 3, next) == 3 && (next == 0xFF9E || next == 0xFF9F)) {
    len = 6;
    mapped = t.half_voiced[k][next - 0xFF9E];
  } else {
    mapped = t.half[k];
  }
  return Kind::Mapped;
}

Kind classify(std::string_view s, std::size_t i, const Tables& t, std::size_t& len, std::string_view& mapped) {
  char32_t cp = 0;
  len = decode(s, i, cp);
  if (len == 0) {
    len = 1;  // an ill-formed byte: util::nfkc turns it into U+FFFD
    return Kind::Unstable;
  }
  if (cp >= 0xFF01 && cp <= 0xFF5E) {
    mapped = kAscii.substr(cp - 0xFF00, 1);  // full-width ASCII
    return Kind::Mapped;
  }
  if (cp == 0x3000) {
    mapped = kAscii.substr(0, 1);
    return Kind::Mapped;
  }
  if (cp >= kHalfFirst && cp <= kHalfLast) return half_width(s, i, cp, t, len, mapped);
  const bool ok = cp < 0x10000 ? t.stable[cp] : stable_astral(cp);
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
    if (!changed) {
      out.clear();
      out.reserve(in.size() + in.size() / 8);  // one allocation: NFKC rarely grows text
      changed = true;
    }
    out.append(in.data() + copied, pos - copied);
    copied = pos;
  }
};

// Normalises the unstable stretch starting at in[i] together with the character before it.
std::size_t normalise_stretch(Walk& w, std::size_t i, const Tables& t) {
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
  std::string_view mapped;
  classify(w.in, i, t, len, mapped);
  std::size_t j = i + len;
  while (j < w.in.size() && static_cast<unsigned char>(w.in[j]) >= 0x80 &&
         classify(w.in, j, t, len, mapped) == Kind::Unstable)
    j += len;
  w.out += util::nfkc(w.in.substr(start, j - start));
  w.copied = j;
  w.prev = w.prev_mark = std::string::npos;
  return j;
}

// Code point of the three-byte sequence in the low 24 bits of `w` (lead byte lowest), or 0 when those bytes
// are not lead + two continuations. Overlong forms and surrogates then fail the table (nothing below
// U+0800 or in D800..DFFF is marked stable).
inline char32_t three_byte(std::uint32_t w) {
  if ((w & 0xC0C0F0u) != 0x8080E0u) return 0;
  return ((w & 0x0Fu) << 12) | ((w & 0x3F00u) >> 2) | ((w & 0x3F0000u) >> 16);
}

// Skips well-formed three-byte characters that are stable (kana, kanji: nearly all Japanese text)
// without the general decoder, four at a time. Returns the first index it does not skip.
std::size_t skip_stable_3byte(std::string_view s, std::size_t i, const StableSet& stable) {
  const char* p = s.data();
  const auto load = [p](std::size_t at) {
    std::uint64_t w = 0;
    std::memcpy(&w, p + at, 8);
    if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
    return w;  // byte `at` lowest
  };
  for (; i + 14 <= s.size(); i += 12) {
    const std::uint64_t w0 = load(i), w1 = load(i + 6);
    const auto cp = [](std::uint64_t w, int shift) { return three_byte(static_cast<std::uint32_t>(w >> shift)); };
    if (!(stable[cp(w0, 0)] & stable[cp(w0, 24)] & stable[cp(w1, 0)] & stable[cp(w1, 24)])) break;
  }
  for (; i + 3 <= s.size(); i += 3) {
    const auto b = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(p[i + k])); };
    if (!stable[three_byte(b(0) | b(1) << 8 | b(2) << 16)]) break;
  }
  return i;
}

#if defined(__SSE2__)
// Sixteen bytes at a time: skips characters that are NFKC-stable by their bytes alone: ASCII, kanji (lead
// bytes E4..E9: U+4000..U+9FFF, CJK extension A and unified ideographs, all stable starters), CJK
// punctuation U+3001..U+3029 (E3 80 81..A9: 、。「」〒) and hiragana/katakana (E3 81..83: U+3040..U+30FF)
// but for the voiced marks U+3099..U+309C, U+309F and U+30FF. s[i] starts a character. Returns the end
// of the skipped run, always the start of a character (the first one not skipped, or near the end).
std::size_t skip_stable_blocks(std::string_view s, std::size_t i) {
  const auto eq = [](__m128i a, int b) { return _mm_cmpeq_epi8(a, _mm_set1_epi8(static_cast<char>(b))); };
  const auto in = [](__m128i a, int lo, int n) {  // lo <= a < lo + n, unsigned
    const __m128i d = _mm_sub_epi8(a, _mm_set1_epi8(static_cast<char>(lo)));
    return _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(static_cast<char>(n - 1))), d);
  };
  const std::size_t start = i;
  unsigned carry = 0;  // continuation bytes the previous block's last leads expect at bits 0 and 1
  for (; i + 18 <= s.size(); i += 16) {
    const auto load = [&](std::size_t at) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + at)); };
    const __m128i v = load(i), next = load(i + 1), third = load(i + 2);  // s[k], s[k+1], s[k+2] in lane k
    const __m128i punct = _mm_and_si128(eq(next, 0x80), in(third, 0x81, 0x29));
    const __m128i kana = _mm_and_si128(eq(v, 0xE3), _mm_or_si128(in(next, 0x81, 3), punct));
    const __m128i marks = _mm_or_si128(_mm_and_si128(eq(next, 0x82), _mm_or_si128(in(third, 0x99, 4), eq(third, 0x9F))),
                                       _mm_and_si128(eq(next, 0x83), eq(third, 0xBF)));
    const __m128i lead = _mm_or_si128(in(v, 0xE4, 6), _mm_andnot_si128(marks, kana));
    const unsigned ascii = ~static_cast<unsigned>(_mm_movemask_epi8(v)) & 0xFFFFu;
    const unsigned cont = static_cast<unsigned>(_mm_movemask_epi8(in(v, 0x80, 0x40)));
    const unsigned leads = static_cast<unsigned>(_mm_movemask_epi8(lead));
    const unsigned due = (leads << 1) | (leads << 2) | carry;  // where continuation bytes must be
    // Bad: any other byte, a continuation where none is due, none where one is.
    const unsigned bad = ((~(ascii | cont | leads)) | (cont ^ due)) & 0xFFFFu;
    if (bad != 0) {
      std::size_t end = i + static_cast<unsigned>(__builtin_ctz(bad));
      if ((due >> (end - i)) & 1)  // inside a character: back to its lead byte
        do --end;
        while (end > start && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80);
      return end;
    }
    carry = due >> 16;
  }
  return carry == 0 ? i : i - (carry == 3 ? 1 : 2);  // the last character runs past: its lead byte
}
#endif

}  // namespace

std::string_view nfkc_fast(std::string_view utf8, std::string& storage) {
  const Tables& t = tables();
  Walk w{utf8, storage};
  std::size_t i = 0;
  while (i < utf8.size()) {
    bool tail = true;  // the last bytes (or no SSE2): the character-wise skips
#if defined(__SSE2__)
    if (const std::size_t past = skip_stable_blocks(utf8, i); past != i) {
      std::size_t last = past - 1;  // the skipped text is well-formed: its last character starts here
      while ((static_cast<unsigned char>(utf8[last]) & 0xC0) == 0x80) --last;
      w.prev = last, w.prev_mark = std::string::npos, i = past;
    }
    tail = i + 18 > utf8.size();
#endif
    if (tail) {
      const std::size_t next = skip_ascii(utf8, i);
      if (next != i) w.prev = next - 1, w.prev_mark = std::string::npos, i = next;
      const std::size_t past = skip_stable_3byte(utf8, i, t.stable);
      if (past != i) w.prev = past - 3, w.prev_mark = std::string::npos, i = past;
    }
    if (i >= utf8.size()) break;
    if (static_cast<unsigned char>(utf8[i]) < 0x80) continue;
    std::size_t len = 0;
    std::string_view mapped;
    switch (classify(utf8, i, t, len, mapped)) {
      case Kind::Stable:
        w.prev = i, w.prev_mark = std::string::npos, i += len;
        break;
      case Kind::Mapped:
        w.flush_to(i);
        w.prev = i, w.prev_mark = storage.size();
        storage += mapped;
        i += len, w.copied = i;
        break;
      case Kind::Unstable:
        i = normalise_stretch(w, i, t);
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
