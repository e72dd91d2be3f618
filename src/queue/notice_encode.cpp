// Byte-level encodings for notices: see notice_encode.hpp. ISO-2022-JP is produced here character by
// character (through iconv's stateless EUC-JP, whose two-byte codes are JIS X 0208 plus 0x80) because
// glibc's ISO-2022-JP converter gives up on the first unmappable character, and one emoji in a subject
// must not cost the whole notice.
#include "notice_encode.hpp"

#include <glib.h>

#include <algorithm>
#include <array>
#include <utility>

#include "preflight/util/charset.hpp"

namespace preflight::queue::detail {
namespace {

constexpr char32_t kReplacement = 0xFFFD;
constexpr std::string_view kEscJis = "\x1B$B";
constexpr std::string_view kEscAscii = "\x1B(B";

int utf8_length(unsigned char b) {
  if (b < 0x80) return 1;
  if (b >= 0xC2 && b <= 0xDF) return 2;
  if (b >= 0xE0 && b <= 0xEF) return 3;
  if (b >= 0xF0 && b <= 0xF4) return 4;
  return 0;
}

// Code points of `s`; every byte that does not start a well-formed sequence becomes U+FFFD.
std::vector<char32_t> decode_utf8(std::string_view s) {
  std::vector<char32_t> out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto lead = static_cast<unsigned char>(s[i]);
    const int len = utf8_length(lead);
    bool ok = len > 0 && i + len <= s.size();
    char32_t cp = len == 1 ? lead : len == 2 ? (lead & 0x1F) : len == 3 ? (lead & 0x0F) : (lead & 0x07);
    for (int k = 1; ok && k < len; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      ok = (c & 0xC0) == 0x80;
      cp = (cp << 6) | (c & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not characters.
    if (ok && ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
               (cp >= 0xD800 && cp <= 0xDFFF)))
      ok = false;
    out.push_back(ok ? cp : kReplacement);
    i += ok ? static_cast<std::size_t>(len) : 1;
  }
  return out;
}

bool is_bidi_control(char32_t cp) {
  return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F;
}

// One character of ISO-2022-JP: an ASCII byte, or a JIS X 0208 pair (both bytes 0x21..0x7E).
struct JisUnit {
  bool jis = false;
  char first = 0, second = 0;
};

constexpr JisUnit kGeta{true, 0x22, 0x2E};  // 〓, the customary mark for "this character was lost"

// Windows writes these code points where JIS X 0208 (as iconv maps it) has a sibling; trying the sibling
// keeps 〜, ∥, －, ¥ and friends instead of turning them into 〓.
constexpr std::array<std::pair<char32_t, char32_t>, 10> kVariants{{
    {0xFF5E, 0x301C},
    {0x2225, 0x2016},
    {0xFF0D, 0x2212},
    {0xFFE0, 0x00A2},
    {0xFFE1, 0x00A3},
    {0xFFE2, 0x00AC},
    {0x00A5, 0xFFE5},
    {0x203E, 0xFFE3},
    {0x2014, 0x2015},
    {0x2015, 0x2014},
}};

class JisMapper {
 public:
  JisMapper() : cd_(g_iconv_open("EUC-JP", "UTF-8")) {}
  ~JisMapper() {
    if (cd_ != reinterpret_cast<GIConv>(-1)) g_iconv_close(cd_);
  }
  JisMapper(const JisMapper&) = delete;
  JisMapper& operator=(const JisMapper&) = delete;

  // Appends the units for `cp`: itself, a sibling, its NFKC form (① -> 1, ㈱ -> (株)) or 〓.
  void map(char32_t cp, std::vector<JisUnit>& out) {
    JisUnit u;
    if (direct(cp, u)) return out.push_back(u);
    for (const auto& [from, to] : kVariants)
      if (from == cp && direct(to, u)) return out.push_back(u);
    if (map_nfkc(cp, out)) return;
    out.push_back(kGeta);
  }

 private:
  bool direct(char32_t cp, JisUnit& u) {
    if (cp < 0x80) {
      u = JisUnit{false, static_cast<char>(cp), 0};
      return true;
    }
    if (cd_ == reinterpret_cast<GIConv>(-1)) return false;
    std::string in;
    util::append_utf8(in, cp);
    char buf[8];
    gchar* inp = in.data();
    gchar* outp = buf;
    gsize in_left = in.size(), out_left = sizeof buf;
    const gsize r = g_iconv(cd_, &inp, &in_left, &outp, &out_left);
    g_iconv(cd_, nullptr, nullptr, nullptr, nullptr);  // back to the initial state after any error
    const auto hi = static_cast<unsigned char>(buf[0]), lo = static_cast<unsigned char>(buf[1]);
    // Only two-byte codes are JIS X 0208; 0x8E (half-width kana) and 0x8F (JIS X 0212) are not RFC 1468.
    if (r == static_cast<gsize>(-1) || in_left != 0 || outp - buf != 2 || hi < 0xA1 || hi > 0xFE || lo < 0xA1 ||
        lo > 0xFE)
      return false;
    u = JisUnit{true, static_cast<char>(hi & 0x7F), static_cast<char>(lo & 0x7F)};
    return true;
  }

  bool map_nfkc(char32_t cp, std::vector<JisUnit>& out) {
    std::string in;
    util::append_utf8(in, cp);
    gchar* n = g_utf8_normalize(in.data(), static_cast<gssize>(in.size()), G_NORMALIZE_NFKC);
    const std::string norm = n ? n : "";
    g_free(n);
    if (norm.empty() || norm == in) return false;
    std::vector<JisUnit> units;
    for (char32_t c : decode_utf8(norm)) {
      JisUnit u;
      if (!direct(c, u)) return false;
      units.push_back(u);
    }
    out.insert(out.end(), units.begin(), units.end());
    return true;
  }

  GIConv cd_;
};

std::vector<JisUnit> to_jis_units(std::string_view utf8) {
  JisMapper mapper;
  std::vector<JisUnit> units;
  for (char32_t cp : decode_utf8(clean_text(utf8))) mapper.map(cp, units);
  return units;
}

// Lays units out in chunks of at most `limit` bytes, each chunk opening and closing in ASCII mode.
class JisWriter {
 public:
  explicit JisWriter(std::size_t limit) : limit_(limit) {}

  void put(const JisUnit& u) {
    // Room for the unit, a switch into its mode, and the ESC ( B that must close a JIS run.
    const std::size_t need = u.jis ? (jis_ ? 2 : 5) + kEscAscii.size() : (jis_ ? 1 + kEscAscii.size() : 1);
    if (!cur_.empty() && cur_.size() + need > limit_) flush();
    if (u.jis != jis_) {
      cur_ += u.jis ? kEscJis : kEscAscii;
      jis_ = u.jis;
    }
    cur_ += u.first;
    if (u.jis) cur_ += u.second;
  }

  std::vector<std::string> finish() {
    if (!cur_.empty() || chunks_.empty()) flush();
    return std::move(chunks_);
  }

 private:
  void flush() {
    if (jis_) cur_ += kEscAscii;
    jis_ = false;
    chunks_.push_back(std::move(cur_));
    cur_.clear();
  }

  std::size_t limit_;
  std::string cur_;
  bool jis_ = false;
  std::vector<std::string> chunks_;
};

std::string base64(std::string_view bytes) {
  gchar* b = g_base64_encode(reinterpret_cast<const guchar*>(bytes.data()), bytes.size());
  std::string out = b ? b : "";
  g_free(b);
  return out;
}

// Splits items [0, n) into runs whose encoded size, size(from, to), is at most `limit`. Every run but the
// last ends where the size is a multiple of 3, so its base64 carries no '=' padding: decoders that join
// adjacent encoded-words before decoding (GMime up to 3.2.13, postal-mime) would otherwise lose the rest
// of the Subject. Walking back over at most three characters always finds such an end.
template <class SizeFn>
std::vector<std::pair<std::size_t, std::size_t>> split_runs(std::size_t n, std::size_t limit, SizeFn size) {
  std::vector<std::pair<std::size_t, std::size_t>> runs;
  std::size_t from = 0;
  while (from < n) {
    std::size_t to = from + 1;
    while (to < n && size(from, to + 1) <= limit) ++to;
    if (to < n)
      for (std::size_t t = to; t > from; --t)
        if (size(from, t) % 3 == 0) {
          to = t;
          break;
        }
    runs.emplace_back(from, to);
    from = to;
  }
  return runs;
}

std::vector<std::string> utf8_chunks(std::string_view utf8, std::size_t limit) {
  std::vector<std::string> chars;
  for (char32_t cp : decode_utf8(utf8)) util::append_utf8(chars.emplace_back(), cp);
  auto size = [&](std::size_t from, std::size_t to) {
    std::size_t n = 0;
    for (std::size_t i = from; i < to; ++i) n += chars[i].size();
    return n;
  };
  std::vector<std::string> chunks;
  for (const auto& [from, to] : split_runs(chars.size(), limit, size)) {
    std::string chunk;
    for (std::size_t i = from; i < to; ++i) chunk += chars[i];
    chunks.push_back(std::move(chunk));
  }
  return chunks;
}

// Each chunk is a standalone ISO-2022-JP string: it opens in ASCII and closes with ESC ( B.
std::vector<std::string> jis_chunks(std::string_view utf8, std::size_t limit) {
  const std::vector<JisUnit> units = to_jis_units(utf8);
  auto encode = [&](std::size_t from, std::size_t to) {
    JisWriter writer(std::string::npos);
    for (std::size_t i = from; i < to; ++i) writer.put(units[i]);
    return writer.finish().front();
  };
  auto size = [&](std::size_t from, std::size_t to) { return encode(from, to).size(); };
  std::vector<std::string> chunks;
  for (const auto& [from, to] : split_runs(units.size(), limit, size)) chunks.push_back(encode(from, to));
  return chunks;
}

// Words of a header value; runs of spaces collapse, which folding would do to them anyway.
std::vector<std::string> split_spaces(std::string_view s) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t start = s.find_first_not_of(' ', i);
    if (start == std::string_view::npos) break;
    const std::size_t end = std::min(s.find(' ', start), s.size());
    words.emplace_back(s.substr(start, end - start));
    i = end;
  }
  return words;
}

// Printable ASCII that a decoder cannot mistake for an encoded-word goes into the header as it is; this
// also starts every encoded stretch afresh, which keeps split_runs() able to avoid padding.
bool is_plain_token(std::string_view token) {
  for (char c : token)
    if (c < 0x21 || c > 0x7E) return false;
  return token.find("=?") == std::string_view::npos;
}

}  // namespace

std::string clean_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char32_t cp : decode_utf8(s)) {
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0x2028 || cp == 0x2029) cp = ' ';
    if (is_bidi_control(cp)) cp = kReplacement;
    util::append_utf8(out, cp);
  }
  return out;
}

std::string clean_ascii(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c >= 0x20 && c < 0x7F) out += c;
  return out;
}

std::vector<std::string> to_iso2022jp_lines(std::string_view utf8, std::size_t max_bytes) {
  JisWriter writer(max_bytes);
  for (const JisUnit& u : to_jis_units(utf8)) writer.put(u);
  return writer.finish();
}

std::vector<std::string> encoded_words(std::string_view utf8, NoticeCharset charset) {
  std::vector<std::string> words;
  std::string stretch;  // neighbouring tokens that need encoding, with the spaces between them
  auto flush = [&] {
    if (stretch.empty()) return;
    // 75 characters minus "=?charset?B?" and "?=" leave room for this many bytes in whole base64 quads.
    if (charset == NoticeCharset::Iso2022jp) {
      for (const std::string& chunk : jis_chunks(stretch, 42))
        words.push_back("=?ISO-2022-JP?B?" + base64(chunk) + "?=");
    } else {
      for (const std::string& chunk : utf8_chunks(stretch, 45))
        words.push_back("=?UTF-8?B?" + base64(chunk) + "?=");
    }
    stretch.clear();
  };
  for (const std::string& token : split_spaces(clean_text(utf8))) {
    if (is_plain_token(token)) {
      flush();
      words.push_back(token);
    } else {
      if (!stretch.empty()) stretch += ' ';
      stretch += token;
    }
  }
  flush();
  return words;
}

std::string base64_lines(std::string_view bytes) {
  const std::string b = base64(bytes);
  std::string out;
  for (std::size_t i = 0; i < b.size(); i += 76) {
    out.append(b, i, 76);
    out += "\r\n";
  }
  return out;
}

std::string header_line(std::string_view name, std::string_view value) {
  const std::size_t max_word = kMaxLine - name.size() - 2;  // "Name: word" must fit on one line
  std::string out(name);
  out += ':';
  std::size_t line_len = out.size();
  bool line_has_word = false;
  for (const std::string& part : split_spaces(value)) {
    const std::string_view word = std::string_view(part).substr(0, max_word);
    if (line_has_word && line_len + 1 + word.size() > 78) {
      out += "\r\n";
      line_len = 0;
    }
    out += ' ';
    out += word;
    line_len += 1 + word.size();
    line_has_word = true;
  }
  if (!line_has_word) out += ' ';
  out += "\r\n";
  return out;
}

}  // namespace preflight::queue::detail
