// RFC 2047 encoded-words in unstructured text and address phrases; see header_decode.hpp.
// Raw 8-bit (or raw ISO-2022-JP) headers are converted to UTF-8 first, as a whole: encoded-words are
// ASCII and survive that step, and the scanners below then never see a CP932 trail byte that looks like
// '\\' or a JIS pair that looks like "=?". All searches move forward only, so hostile input stays linear.
#include "preflight/mail/header_decode.hpp"

#include <cstdint>

#include "preflight/util/charset.hpp"
#include "preflight/util/strings.hpp"

namespace preflight::mail {

namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

bool needs_guess(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80 || c == '\x1B') return true;
  return false;
}

// Unfolds (CRLF before white space is dropped; stray CR/LF too) and turns raw 8-bit text into UTF-8.
std::string prepare(std::string_view raw) {
  std::string s;
  s.reserve(raw.size());
  for (char c : raw)
    if (c != '\r' && c != '\n') s.push_back(c);
  return needs_guess(s) ? util::guess_to_utf8(s) : s;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Strict alphabet, lenient padding (many mailers drop it). nullopt makes the word stay literal.
std::optional<std::string> decode_b(std::string_view text) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  std::size_t data = 0;
  bool padding = false;
  for (char c : text) {
    if (c == '=') {
      padding = true;
      continue;
    }
    const int v = base64_value(c);
    if (v < 0 || padding) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    ++data;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  if (data % 4 == 1) return std::nullopt;
  return out;
}

std::string decode_q(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '_') {
      out.push_back(' ');
    } else if (c == '=' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
      i += 2;
    } else {
      out.push_back(c);  // a bare '=' is kept: some mailers forget to encode it
    }
  }
  return out;
}

struct EncodedWord {
  std::size_t end;  // one past the closing "?="
  std::string charset;
  std::string bytes;
};

// Finds encoded-words in one string. The end of a word's text is the first "?=" or white space after it;
// both lookups are cached, and since callers ask at increasing positions the whole scan stays linear.
class WordScanner {
 public:
  explicit WordScanner(std::string_view s) : s_(s) {}

  std::optional<EncodedWord> at(std::size_t i) {
    if (i + 1 >= s_.size() || s_[i] != '=' || s_[i + 1] != '?') return std::nullopt;
    const std::size_t cs = i + 2;
    const std::size_t cs_end = s_.find('?', cs);
    if (cs_end == std::string_view::npos || cs_end == cs || cs_end - cs > 64) return std::nullopt;
    if (cs_end + 2 >= s_.size() || s_[cs_end + 2] != '?') return std::nullopt;
    const char enc = s_[cs_end + 1];
    const std::size_t text = cs_end + 3;
    const std::size_t close = next(close_, text, [this](std::size_t p) { return s_.find("?=", p); });
    const std::size_t space = next(space_, text, [this](std::size_t p) { return s_.find_first_of(" \t", p); });
    if (close == std::string_view::npos || (space != std::string_view::npos && space < close)) return std::nullopt;
    std::string_view charset = s_.substr(cs, cs_end - cs);
    if (charset.find_first_of(" \t\"()<>,;:") != std::string_view::npos) return std::nullopt;
    charset = charset.substr(0, charset.find('*'));  // RFC 2231 language suffix: "UTF-8*ja"
    const std::string_view payload = s_.substr(text, close - text);
    std::optional<std::string> bytes;
    if (enc == 'B' || enc == 'b') bytes = decode_b(payload);
    else if (enc == 'Q' || enc == 'q') bytes = decode_q(payload);
    if (!bytes) return std::nullopt;
    return EncodedWord{close + 2, std::string(charset), std::move(*bytes)};
  }

 private:
  struct Cache {
    std::size_t from = 0;
    std::size_t found = std::string_view::npos;
    bool valid = false;
  };

  template <class Find>
  static std::size_t next(Cache& c, std::size_t p, Find find) {
    if (!c.valid || p < c.from || (c.found != std::string_view::npos && c.found < p)) {
      c = {p, find(p), true};
    }
    return c.found;
  }

  std::string_view s_;
  Cache close_;
  Cache space_;
};

struct Run {
  std::size_t end;
  std::string text;
};

// Decodes the encoded-word at `i` and every one that follows it separated only by white space. Bytes of
// consecutive words in the same charset are converted together, so a character split across words is
// rebuilt.
std::optional<Run> decode_run(WordScanner& scan, std::string_view s, std::size_t i) {
  auto word = scan.at(i);
  if (!word) return std::nullopt;
  Run run{word->end, {}};
  std::string charset = word->charset;
  std::string bytes = std::move(word->bytes);
  while (true) {
    std::size_t j = run.end;
    while (j < s.size() && is_wsp(s[j])) ++j;
    auto more = scan.at(j);  // also words glued together ("?==?"), which mailers do emit
    if (!more) break;
    if (!util::iequals(more->charset, charset)) {
      run.text += util::to_utf8(bytes, charset);
      charset = more->charset;
      bytes.clear();
    }
    bytes += more->bytes;
    run.end = more->end;
  }
  run.text += util::to_utf8(bytes, charset);
  return run;
}

// Where an encoded-word run lands in an address header decides how its text must be escaped.
enum class Context { Bare, Quoted, Comment };

void append_escaped(std::string& out, std::string_view text, Context ctx) {
  if (ctx == Context::Bare) out.push_back('"');
  for (char c : text) {
    const bool special = (c == '\\') || (ctx == Context::Comment ? (c == '(' || c == ')') : c == '"');
    if (special) out.push_back('\\');
    out.push_back(c);
  }
  if (ctx == Context::Bare) out.push_back('"');
}

// Tracks quoted strings, comments and angle addresses of an address list, one plain character at a time.
struct AddressState {
  bool quoted = false;
  bool escaped = false;
  int comment_depth = 0;
  bool angle = false;

  void feed(char c) {
    if (escaped) {
      escaped = false;
    } else if ((quoted || comment_depth > 0) && c == '\\') {
      escaped = true;
    } else if (quoted) {
      quoted = (c != '"');
    } else if (c == '(') {
      ++comment_depth;
    } else if (c == ')' && comment_depth > 0) {
      --comment_depth;
    } else if (comment_depth == 0) {
      if (c == '"') quoted = true;
      else if (c == '<') angle = true;
      else if (c == '>') angle = false;
    }
  }

  bool may_decode() const { return !angle || quoted || comment_depth > 0; }
  Context context() const {
    if (quoted) return Context::Quoted;
    return comment_depth > 0 ? Context::Comment : Context::Bare;
  }
};

}  // namespace

std::string decode_header_text(std::string_view raw) {
  const std::string s = prepare(raw);
  WordScanner scan(s);
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    if (auto run = decode_run(scan, s, i)) {
      out += run->text;
      i = run->end;
    } else {
      out.push_back(s[i++]);
    }
  }
  return std::string(util::trim(out));
}

std::string decode_phrase_words(std::string_view raw) {
  const std::string s = prepare(raw);
  WordScanner scan(s);
  AddressState state;
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    if (!state.escaped && state.may_decode()) {
      if (auto run = decode_run(scan, s, i)) {
        append_escaped(out, run->text, state.context());
        i = run->end;
        continue;
      }
    }
    state.feed(s[i]);
    out.push_back(s[i++]);
  }
  return out;
}

}  // namespace preflight::mail
