// PDF lexing and dictionary lookups (pdf.hpp), and the standard security handler's empty-user-password test
// (ISO 32000: algorithms 2, 4/5 for revisions 2-4 with RC4/AES-128, 2.A/2.B for revisions 5 and 6).
#include <cstdlib>

#include "crypto.hpp"
#include "pdf.hpp"

namespace preflight::inspect::detail {

namespace {

bool space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\0'; }
bool delim(char c) { return std::string_view("()<>[]{}/%").find(c) != std::string_view::npos; }
bool regular(char c) { return !space(c) && !delim(c); }

std::size_t literal_end(std::string_view s, std::size_t at) {
  int depth = 0;
  for (std::size_t i = at; i < s.size(); ++i) {
    if (s[i] == '\\') ++i;
    else if (s[i] == '(') ++depth;
    else if (s[i] == ')' && --depth == 0) return i + 1;
  }
  return s.size();
}

// Skips one value (a nested dictionary or array as a whole, "N G R" as one); returns its end.
std::size_t skip_value(std::string_view s, std::size_t& pos) {
  const PdfToken t = pdf_next(s, pos);
  if (t.type == PdfTok::dict_open || t.type == PdfTok::array_open) {
    int depth = 1;
    for (std::size_t guard = 0; depth > 0 && guard < s.size(); ++guard) {
      const PdfToken n = pdf_next(s, pos);
      if (n.type == PdfTok::end) break;
      if (n.type == PdfTok::dict_open || n.type == PdfTok::array_open) ++depth;
      if (n.type == PdfTok::dict_close || n.type == PdfTok::array_close) --depth;
    }
  } else if (t.type == PdfTok::number) {
    std::size_t look = pos;
    const PdfToken g = pdf_next(s, look), r = pdf_next(s, look);
    if (g.type == PdfTok::number && r.type == PdfTok::keyword && r.raw == "R") pos = look;
  }
  return pos;
}

const std::string_view kPad(
    "\x28\xBF\x4E\x5E\x4E\x75\x8A\x41\x64\x00\x4E\x56\xFF\xFA\x01\x08"
    "\x2E\x2E\x00\xB6\xD0\x68\x3E\x80\x2F\x0C\xA9\xFE\x64\x53\x69\x7A", 32);

// Algorithm 2.B (revision 6) with an empty password and no user-key data.
std::string hash_r6(std::string_view salt) {
  std::string k = digest("SHA256", salt), e;
  for (int i = 0; i < 64 || (!e.empty() && static_cast<unsigned char>(e.back()) > i - 32); ++i) {
    std::string k1;
    for (int r = 0; r < 64; ++r) k1 += k;
    e = aes128_cbc_encrypt(k.substr(0, 16), k.substr(16, 16), k1);
    if (e.size() < 16) return {};
    int sum = 0;
    for (int b = 0; b < 16; ++b) sum += static_cast<unsigned char>(e[b]);
    k = digest(sum % 3 == 0 ? "SHA256" : sum % 3 == 1 ? "SHA384" : "SHA512", e);
    if (i > 2000) return {};  // cannot happen with a real hash; bounds a broken one
  }
  return k.substr(0, 32);
}

bool rc4_revisions(std::string_view enc, int rev, std::string_view o, std::string_view u, std::string_view id) {
  const long long p = pdf_int(pdf_dict_value(enc, "/P").value_or("0")).value_or(0);
  const long long bits = pdf_int(pdf_dict_value(enc, "/Length").value_or("40")).value_or(40);
  const std::size_t n = rev == 2 ? 5 : static_cast<std::size_t>(std::clamp<long long>(bits / 8, 5, 16));
  const auto pu = static_cast<std::uint32_t>(p);
  std::string h = std::string(kPad) + std::string(o.substr(0, 32));
  h += {static_cast<char>(pu), static_cast<char>(pu >> 8), static_cast<char>(pu >> 16), static_cast<char>(pu >> 24)};
  h += id;
  if (rev >= 4 && pdf_dict_value(enc, "/EncryptMetadata").value_or("true") == "false") h += "\xFF\xFF\xFF\xFF";
  std::string key = digest("MD5", h).substr(0, n);
  for (int i = 0; rev >= 3 && i < 50; ++i) key = digest("MD5", key).substr(0, n);
  if (rev == 2) return u.size() >= 32 && rc4(key, kPad) == u.substr(0, 32);
  std::string x = rc4(key, digest("MD5", std::string(kPad) + std::string(id)));
  for (char i = 1; i <= 19; ++i) {
    std::string k = key;
    for (char& c : k) c = static_cast<char>(c ^ i);
    x = rc4(k, x);
  }
  return u.size() >= 16 && x.substr(0, 16) == u.substr(0, 16);
}

}  // namespace

PdfToken pdf_next(std::string_view s, std::size_t& pos) {
  while (pos < s.size() && (space(s[pos]) || s[pos] == '%')) {
    if (s[pos] == '%') {
      const std::size_t eol = s.find_first_of("\r\n", pos);
      pos = eol == std::string_view::npos ? s.size() : eol;
    } else {
      ++pos;
    }
  }
  if (pos >= s.size()) return {};
  const std::size_t start = pos;
  const char c = s[pos];
  PdfTok type = PdfTok::keyword;
  if (c == '(') {
    pos = literal_end(s, pos);
    type = PdfTok::string;
  } else if (c == '<' && pos + 1 < s.size() && s[pos + 1] == '<') {
    pos += 2;
    type = PdfTok::dict_open;
  } else if (c == '>' && pos + 1 < s.size() && s[pos + 1] == '>') {
    pos += 2;
    type = PdfTok::dict_close;
  } else if (c == '<') {
    const std::size_t gt = s.find('>', pos);
    pos = gt == std::string_view::npos ? s.size() : gt + 1;
    type = PdfTok::hexstring;
  } else if (c == '[' || c == ']') {
    ++pos;
    type = c == '[' ? PdfTok::array_open : PdfTok::array_close;
  } else if (c == '/') {
    ++pos;
    while (pos < s.size() && regular(s[pos])) ++pos;
    type = PdfTok::name;
  } else if (delim(c)) {
    ++pos;  // stray ')', '>', '{', '}'
  } else {
    while (pos < s.size() && regular(s[pos])) ++pos;
    if (std::string_view("+-.0123456789").find(c) != std::string_view::npos) type = PdfTok::number;
  }
  return {type, s.substr(start, pos - start)};
}

std::optional<std::string_view> pdf_dict_value(std::string_view dict, std::string_view key) {
  std::size_t pos = 0;
  if (pdf_next(dict, pos).type != PdfTok::dict_open) return std::nullopt;
  while (true) {
    const PdfToken k = pdf_next(dict, pos);
    if (k.type == PdfTok::end || k.type == PdfTok::dict_close) return std::nullopt;
    if (k.type != PdfTok::name) continue;
    std::size_t start = pos;
    while (start < dict.size() && space(dict[start])) ++start;
    const std::size_t end = skip_value(dict, pos);
    if (k.raw == key) return dict.substr(start, end - start);
  }
}

std::string_view pdf_dict_at(std::string_view s, std::size_t pos) {
  if (pos >= s.size()) return {};
  const std::size_t near = s.substr(pos, kMaxPdfDict).find("<<");  // callers expect it right after `pos`
  if (near == std::string_view::npos) return {};
  const std::size_t open = pos + near;
  const std::string_view window = s.substr(open, kMaxPdfDict);
  std::size_t p = 0;
  return window.substr(0, skip_value(window, p));
}

std::string pdf_string(std::string_view raw) {
  std::string out;
  if (raw.starts_with('<')) {
    int half = -1;
    for (char c : raw.substr(1)) {
      const int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
      if (d < 0) continue;
      if (half < 0) half = d;
      else out += static_cast<char>(half * 16 + d), half = -1;
    }
    if (half >= 0) out += static_cast<char>(half * 16);
    return out;
  }
  if (raw.size() < 2) return out;
  const std::string_view body = raw.substr(1, raw.size() - 2);
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '\\' || i + 1 >= body.size()) {
      out += body[i];
      continue;
    }
    const char e = body[++i];
    if (e >= '0' && e <= '7') {
      int v = e - '0';
      for (int k = 0; k < 2 && i + 1 < body.size() && body[i + 1] >= '0' && body[i + 1] <= '7'; ++k) v = v * 8 + (body[++i] - '0');
      out += static_cast<char>(v);
    } else if (e == '\r' || e == '\n') {
      if (e == '\r' && i + 1 < body.size() && body[i + 1] == '\n') ++i;  // line continuation
    } else {
      const std::string_view from = "nrtbf", to = "\n\r\t\b\f";
      const std::size_t k = from.find(e);
      out += k == std::string_view::npos ? e : to[k];
    }
  }
  return out;
}

std::optional<long long> pdf_int(std::string_view raw) {
  if (raw.empty() || raw.size() > 20 || raw.find('.') != std::string_view::npos) return std::nullopt;
  const std::string s(raw);
  char* end = nullptr;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (end == s.c_str() || *end != '\0') return std::nullopt;
  return v;
}

std::string_view pdf_resolve(std::string_view file, std::string_view value) {
  std::size_t pos = 0;
  const PdfToken n = pdf_next(value, pos), g = pdf_next(value, pos), r = pdf_next(value, pos);
  if (n.type != PdfTok::number || g.type != PdfTok::number || r.raw != "R") return value;
  const std::string header = std::string(n.raw) + " " + std::string(g.raw) + " obj";
  for (std::size_t at = file.size(); at > 0;) {
    at = file.rfind(header, at - 1);
    if (at == std::string_view::npos) return {};
    if (at > 0 && file[at - 1] >= '0' && file[at - 1] <= '9') continue;  // "12 0 obj" is not "2 0 obj"
    std::size_t p = at + header.size();
    while (p < file.size() && space(file[p])) ++p;
    return file.substr(p, 2) == "<<" ? pdf_dict_at(file, p) : std::string_view();
  }
  return {};
}

bool pdf_empty_user_password(std::string_view enc, std::string_view first_id) {
  if (pdf_dict_value(enc, "/Filter").value_or("") != "/Standard") return false;
  const int rev = static_cast<int>(pdf_int(pdf_dict_value(enc, "/R").value_or("0")).value_or(0));
  const std::string o = pdf_string(pdf_dict_value(enc, "/O").value_or(""));
  const std::string u = pdf_string(pdf_dict_value(enc, "/U").value_or(""));
  if (rev >= 2 && rev <= 4) return rc4_revisions(enc, rev, o, u, first_id);
  if (u.size() < 48) return false;
  if (rev == 5) return digest("SHA256", u.substr(32, 8)) == u.substr(0, 32);
  if (rev == 6) return hash_r6(u.substr(32, 8)) == u.substr(0, 32);
  return false;
}

}  // namespace preflight::inspect::detail
