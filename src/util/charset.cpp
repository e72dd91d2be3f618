// Charset conversion to UTF-8; see charset.hpp. Every path ends in valid UTF-8: iconv errors are replaced
// by U+FFFD one byte at a time, so a conversion always finishes and never throws.
#include "preflight/util/charset.hpp"

#include <glib.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "preflight/util/iso2022jp.hpp"
#include "preflight/util/strings.hpp"

namespace preflight::util {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// Length of the well-formed UTF-8 sequence at s[i] (RFC 3629: no overlongs, surrogates or values past
// U+10FFFF), or 0 if the bytes there are not one.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return 1;
  std::size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) len = 2;
  else if (b0 == 0xE0) len = 3, lo = 0xA0;
  else if (b0 == 0xED) len = 3, hi = 0x9F;
  else if (b0 >= 0xE1 && b0 <= 0xEF) len = 3;
  else if (b0 == 0xF0) len = 4, lo = 0x90;
  else if (b0 == 0xF4) len = 4, hi = 0x8F;
  else if (b0 >= 0xF1 && b0 <= 0xF3) len = 4;
  else return 0;
  if (i + len > s.size()) return 0;
  const auto b1 = static_cast<unsigned char>(s[i + 1]);
  if (b1 < lo || b1 > hi) return 0;
  for (std::size_t k = 2; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if (b < 0x80 || b > 0xBF) return 0;
  }
  return len;
}

std::string repair_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t n = utf8_sequence(s, i);
    if (n == 0) {
      out += kReplacement;
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

bool is_ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

// Opening a converter is costly (glibc loads its module, and unloads it when the last descriptor closes),
// so each thread keeps the descriptors it opened (a few charsets), reset to the initial state for each use.
class Converters {
 public:
  ~Converters() {
    for (auto& [name, cd] : open_) g_iconv_close(cd);
  }
  // A descriptor from `from` to UTF-8 in its initial state; (GIConv)-1 for an unknown charset. `keep` is
  // false when the caller must close it (the thread keeps enough already).
  GIConv get(const char* from, bool& keep) {
    keep = true;
    for (auto& [name, cd] : open_)
      if (name == from) {
        g_iconv(cd, nullptr, nullptr, nullptr, nullptr);
        return cd;
      }
    GIConv cd = g_iconv_open("UTF-8", from);
    if (cd == reinterpret_cast<GIConv>(-1) || open_.size() >= 16) return keep = false, cd;
    open_.emplace_back(from, cd);
    return cd;
  }

 private:
  std::vector<std::pair<std::string, GIConv>> open_;
};

}  // namespace

void keep_charset_modules_loaded() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Never closed, and kept where a leak checker sees them (a static pointer, never freed).
    static auto* kept = new std::vector<GIConv>();
    for (const char* from : {"ISO-2022-JP", "SHIFT_JIS", "CP932", "EUC-JP", "ISO-8859-1", "WINDOWS-1252"})
      kept->push_back(g_iconv_open("UTF-8", from));
  });
}

namespace {

// Runs iconv from `from` to UTF-8. With `strict`, any invalid input fails the whole conversion (used for
// guessing); otherwise each bad byte becomes U+FFFD and conversion resumes after it. nullopt: unknown
// charset, or invalid input in strict mode.
std::optional<std::string> iconv_to_utf8(std::string_view bytes, const char* from, bool strict) {
  thread_local Converters converters;
  bool keep = false;
  GIConv cd = converters.get(from, keep);
  if (cd == reinterpret_cast<GIConv>(-1)) return std::nullopt;
  std::string out;
  out.reserve(bytes.size() * 3 / 2 + 16);
  std::array<char, 4096> buf;
  auto* in = const_cast<gchar*>(bytes.data());
  gsize in_left = bytes.size();
  bool failed = false;
  // in_left == 0 is one last pass with a null input, which flushes any shift state.
  for (bool done = false; !done && !failed;) {
    gchar* o = buf.data();
    gsize o_left = buf.size();
    const bool flush = (in_left == 0);
    const gsize r = flush ? g_iconv(cd, nullptr, nullptr, &o, &o_left) : g_iconv(cd, &in, &in_left, &o, &o_left);
    const int err = errno;
    out.append(buf.data(), buf.size() - o_left);
    if (r != static_cast<gsize>(-1)) {
      done = flush;
    } else if (err == E2BIG) {
      continue;
    } else if (strict || (err != EILSEQ && err != EINVAL)) {
      failed = true;
    } else {
      // EILSEQ: skip one byte; EINVAL: a truncated sequence at the very end.
      out += kReplacement;
      const gsize skip = (err == EINVAL) ? in_left : 1;
      in += skip;
      in_left -= skip;
    }
  }
  if (!keep) g_iconv_close(cd);
  if (failed && strict) return std::nullopt;
  return out;
}

std::string lenient(std::string_view bytes, const char* from) {
  auto r = iconv_to_utf8(bytes, from, false);
  return r ? std::move(*r) : repair_utf8(bytes);
}

std::string iso2022jp_to_utf8(std::string_view bytes) { return lenient(iso2022jp_to_cp932(bytes), "CP932"); }

enum class Family { Utf8, Ascii, Iso2022Jp, Other };

struct Target {
  Family family;
  std::string iconv_name;
};

bool any_of(std::string_view name, std::initializer_list<std::string_view> list) {
  for (auto n : list)
    if (iequals(name, n)) return true;
  return false;
}

// Maps a declared label to what mailers actually meant: the vendor supersets, never the strict sets.
Target resolve(std::string_view label) {
  const std::string_view name = trim(label);
  if (any_of(name, {"utf-8", "utf8", "x-unicode20utf8", "unicode-1-1-utf-8"})) return {Family::Utf8, {}};
  if (any_of(name, {"us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us"})) return {Family::Ascii, {}};
  if (istarts_with(name, "iso-2022-jp") || iequals(name, "csiso2022jp") || iequals(name, "jis"))
    return {Family::Iso2022Jp, {}};
  if (any_of(name, {"shift_jis", "shift-jis", "sjis", "x-sjis", "windows-31j", "cp932", "ms932", "ms_kanji",
                    "csshiftjis", "x-ms-cp932", "csWindows31J", "ibm-943", "ibm943"}))
    return {Family::Other, "CP932"};
  if (any_of(name, {"euc-jp", "eucjp", "x-euc-jp", "ujis", "cseucpkdfmtjapanese", "euc-jp-ms", "eucjp-ms"}))
    return {Family::Other, "EUC-JP-MS"};
  if (any_of(name, {"gb2312", "gbk", "x-gbk", "csgb2312", "euc-cn", "gb18030"})) return {Family::Other, "GB18030"};
  if (any_of(name, {"ks_c_5601-1987", "euc-kr", "ks_c_5601", "cseuckr", "cp949", "uhc"}))
    return {Family::Other, "CP949"};
  if (any_of(name, {"big5", "x-big5", "csbig5"})) return {Family::Other, "BIG5-HKSCS"};
  return {Family::Other, std::string(name)};
}

}  // namespace

bool is_utf8(std::string_view bytes) {
  for (std::size_t i = 0; i < bytes.size();) {
    const std::size_t n = utf8_sequence(bytes, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string guess_to_utf8(std::string_view bytes) {
  if (is_utf8(bytes) && !has_jis_escape(bytes)) return std::string(bytes);
  if (has_jis_escape(bytes)) return iso2022jp_to_utf8(bytes);
  if (auto cp932 = iconv_to_utf8(bytes, "CP932", true)) return std::move(*cp932);
  return lenient(bytes, "ISO-8859-1");
}

std::string to_utf8(std::string_view bytes, std::string_view charset) {
  if (trim(charset).empty()) return guess_to_utf8(bytes);
  const Target t = resolve(charset);
  switch (t.family) {
    case Family::Utf8:
      return repair_utf8(bytes);
    case Family::Ascii:  // 8-bit bytes under an ASCII label are raw text of some other charset
      return is_ascii(bytes) ? std::string(bytes) : guess_to_utf8(bytes);
    case Family::Iso2022Jp:
      return iso2022jp_to_utf8(bytes);
    case Family::Other:
      break;
  }
  if (auto r = iconv_to_utf8(bytes, t.iconv_name.c_str(), false)) return std::move(*r);
  return guess_to_utf8(bytes);
}

namespace {

// Code points NFKC leaves as they are whatever surrounds them, when no combining mark is near: kana
// (U+3041-U+3096, U+30A1-U+30FA, ・ and ー), 、。〃々〆〇, the brackets U+3008-U+3011, and the CJK
// unified ideographs U+4E00-U+9FFF. None has a decomposition, and none combines with a neighbour
// that is not a combining mark (the combining sound marks U+3099/U+309A, the ideographic space, the
// full-width and half-width forms are left out: NFKC changes them).
bool stable_cjk(char32_t cp) {
  return (cp >= 0x3041 && cp <= 0x3096) || (cp >= 0x30A1 && cp <= 0x30FC) || (cp >= 0x3001 && cp <= 0x3007) ||
         (cp >= 0x3008 && cp <= 0x3011) || (cp >= 0x4E00 && cp <= 0x9FFF);
}

// The length of the code point at `i` when it is ASCII or a stable_cjk one (every such is three bytes,
// lead E3-E9: no overlong or surrogate forms there), else 0 (another code point, or bytes that are not
// valid UTF-8).
std::size_t stable_at(std::string_view s, std::size_t i) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  if (p[i] < 0x80) return 1;
  if (p[i] < 0xE3 || p[i] > 0xE9 || i + 2 >= s.size() || (p[i + 1] & 0xC0) != 0x80 || (p[i + 2] & 0xC0) != 0x80)
    return 0;
  char32_t cp = (char32_t(p[i] & 0x0F) << 12) | (char32_t(p[i + 1] & 0x3F) << 6) | char32_t(p[i + 2] & 0x3F);
  return stable_cjk(cp) ? 3 : 0;
}

// The length of the run of ASCII at `i`, in whole blocks of eight bytes (0 when the next eight are not all ASCII).
std::size_t ascii_run(std::string_view s, std::size_t i) {
  std::size_t n = 0;
  for (std::uint64_t w; i + n + 8 <= s.size(); n += 8) {
    std::memcpy(&w, s.data() + i + n, 8);
    if (w & 0x8080808080808080ULL) break;
  }
  return n;
}

// The one ASCII character NFKC makes of the code point at `i` when it is a full-width ASCII form
// (U+FF01..U+FF5E) or the ideographic space (U+3000); 0 for any other.
char fullwidth_at(std::string_view s, std::size_t i) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  if (i + 2 >= s.size()) return 0;
  if (p[i] == 0xEF && p[i + 1] == 0xBC && p[i + 2] >= 0x81 && p[i + 2] <= 0xBF) return static_cast<char>(p[i + 2] - 0x60);
  if (p[i] == 0xEF && p[i + 1] == 0xBD && p[i + 2] >= 0x80 && p[i + 2] <= 0x9E) return static_cast<char>(p[i + 2] - 0x20);
  if (p[i] == 0xE3 && p[i + 1] == 0x80 && p[i + 2] == 0x80) return ' ';
  return 0;
}

// True when nothing composes with the code point before `i` from here: the text ends, or an ASCII,
// stable_cjk or full-width ASCII code point starts at `i`.
bool starter_at(std::string_view s, std::size_t i) { return i >= s.size() || stable_at(s, i) || fullwidth_at(s, i); }

// NFKC through GLib, for a piece that may hold anything (bad bytes repaired first).
void glib_nfkc(std::string_view piece, std::string& out) {
  const std::string valid = repair_utf8(piece);
  // g_utf8_normalize stops at NUL, so normalise the pieces between NULs and keep the NULs.
  std::size_t start = 0;
  while (start <= valid.size()) {
    std::size_t end = valid.find('\0', start);
    if (end == std::string::npos) end = valid.size();
    if (end > start) {
      gchar* n = g_utf8_normalize(valid.data() + start, static_cast<gssize>(end - start), G_NORMALIZE_NFKC);
      if (n) out += n;
      g_free(n);
    }
    if (end < valid.size()) out.push_back('\0');
    start = end + 1;
  }
}

}  // namespace

// Runs of ASCII and stable_cjk code points are copied as they are; only what lies between them goes
// through GLib, together with the code point before it (a combining mark composes with the character it
// follows; nothing composes with a following ASCII or stable_cjk character, which is never the second
// of a composition, nor reordered: they are all starters). Most Japanese business text goes through GLib
// for a few full-width characters only.
std::string nfkc(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  std::size_t copied = 0, i = 0, previous = 0;  // previous: where the code point before i starts
  while (i < utf8.size()) {
    if (std::size_t n = ascii_run(utf8, i)) {  // eight bytes at a time
      i += n;
      previous = i - 1;
      continue;
    }
    if (std::size_t n = stable_at(utf8, i)) {
      previous = i;
      i += n;
      continue;
    }
    if (char c = fullwidth_at(utf8, i); c && starter_at(utf8, i + 3)) {  // becomes ASCII, composes with nothing
      out.append(utf8.substr(copied, i - copied));
      out.push_back(c);
      copied = previous = i += 3;
      continue;
    }
    std::size_t from = i > copied ? previous : copied;  // the stable code point before joins the piece
    out.append(utf8.substr(copied, from - copied));
    std::size_t to = i + 1;
    while (to < utf8.size() && stable_at(utf8, to) == 0) ++to;
    glib_nfkc(utf8.substr(from, to - from), out);
    copied = previous = i = to;
  }
  out.append(utf8.substr(copied));
  return out;
}
void append_utf8(std::string& out, char32_t cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace preflight::util
