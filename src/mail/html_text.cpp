// HTML to text; see html_text.hpp. One forward pass: text runs are copied, tags are looked up by name,
// character references decoded. A small line writer applies whitespace collapsing and quote prefixes.
#include "preflight/mail/html_text.hpp"

#include <array>
#include <cstdint>

#include "preflight/util/charset.hpp"

namespace preflight::mail {

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'; }
bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':';
}

// Case-insensitive search for an ASCII needle (lower case).
std::size_t find_ci(std::string_view s, std::string_view needle, std::size_t from) {
  for (std::size_t i = from; i + needle.size() <= s.size(); ++i) {
    std::size_t k = 0;
    while (k < needle.size() && lower(s[i + k]) == needle[k]) ++k;
    if (k == needle.size()) return i;
  }
  return std::string_view::npos;
}

// Builds the text line by line.
struct Writer {
  std::string text;
  int quote_depth = 0;
  bool line_start = true;     // nothing written on the current line yet
  bool pending_space = false; // collapsed whitespace waiting for the next visible text

  void put(std::string_view s) {
    if (s.empty()) return;
    if (line_start) {
      for (int d = 0; d < quote_depth; ++d) text += "> ";
      line_start = false;
    } else if (pending_space) {
      text += ' ';
    }
    pending_space = false;
    text += s;
  }
  void space() { pending_space = !line_start; }
  void newline() {
    text += '\n';
    line_start = true;
    pending_space = false;
  }
  void end_line() {
    if (!line_start) newline();
  }
  void cell() {
    if (!line_start && text.back() != '\t') text += '\t';
    pending_space = false;
  }
};

// Invisible characters a reference may spell out to split a number: soft hyphen, zero-width (non-)joiners
// and spaces, word joiner, BOM. They decode to nothing.
bool invisible(std::uint32_t cp) { return cp == 0xAD || (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF; }

struct Named {
  std::string_view name, text;
};
constexpr std::array<Named, 20> kNamed{{{"amp", "&"},       {"lt", "<"},        {"gt", ">"},       {"quot", "\""},
                                        {"apos", "'"},      {"nbsp", " "},      {"ensp", " "},     {"emsp", " "},
                                        {"thinsp", " "},    {"shy", ""},        {"zwj", ""},       {"zwnj", ""},
                                        {"copy", "\u00A9"}, {"reg", "\u00AE"},  {"yen", "\u00A5"}, {"ndash", "\u2013"},
                                        {"mdash", "\u2014"}, {"hellip", "\u2026"}, {"middot", "\u00B7"},
                                        {"times", "\u00D7"}}};

// Decodes the reference at html[i] == '&' into `out`; returns the index after it, or i + 1 (a literal '&').
std::size_t reference(std::string_view html, std::size_t i, std::string& out) {
  std::size_t j = i + 1;
  if (j < html.size() && html[j] == '#') {
    const bool hex = j + 1 < html.size() && lower(html[j + 1]) == 'x';
    j += hex ? 2 : 1;
    std::uint32_t cp = 0;
    const std::size_t digits = j;
    for (; j < html.size() && j - digits < 8; ++j) {
      const char c = lower(html[j]);
      const int v = c >= '0' && c <= '9' ? c - '0' : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (v < 0) break;
      cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(v);
    }
    if (j == digits) return i + 1;
    if (!invisible(cp)) util::append_utf8(out, static_cast<char32_t>(cp));
    return j < html.size() && html[j] == ';' ? j + 1 : j;
  }
  while (j < html.size() && j - i <= 8 && is_name_char(html[j])) ++j;
  if (j >= html.size() || html[j] != ';') return i + 1;
  std::string name;
  for (std::size_t k = i + 1; k < j; ++k) name += lower(html[k]);
  for (const Named& n : kNamed)
    if (n.name == name) {
      out += n.text;
      return j + 1;
    }
  return i + 1;
}

// The end of the tag starting at html[i] == '<' (the index after '>'), quotes in attributes respected.
std::size_t tag_end(std::string_view html, std::size_t i) {
  char quote = 0;
  for (std::size_t j = i + 1; j < html.size(); ++j) {
    const char c = html[j];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      return j + 1;
    }
  }
  return html.size();
}

bool one_of(std::string_view name, std::initializer_list<std::string_view> names) {
  for (std::string_view n : names)
    if (n == name) return true;
  return false;
}

struct State {
  Writer w;
  int pre = 0;  // depth of <pre>
};

// Applies a tag's effect on the text; returns where to continue (past dropped content for script etc.).
std::size_t apply_tag(std::string_view html, std::size_t end, const std::string& name, bool closing, State& st) {
  if (!closing && one_of(name, {"script", "style", "head", "title", "template"})) {
    const std::size_t close = find_ci(html, "</" + name, end);
    return close == std::string_view::npos ? html.size() : tag_end(html, close);
  }
  if (name == "br") {
    st.w.newline();
  } else if (name == "blockquote") {
    st.w.end_line();
    st.w.quote_depth = closing ? (st.w.quote_depth > 0 ? st.w.quote_depth - 1 : 0) : st.w.quote_depth + 1;
  } else if (name == "pre") {
    st.w.end_line();
    st.pre = closing ? (st.pre > 0 ? st.pre - 1 : 0) : st.pre + 1;
  } else if (name == "td" || name == "th") {
    if (!closing) st.w.cell();
  } else if (one_of(name, {"p", "div", "li", "tr", "ul", "ol", "dl", "dt", "dd", "table", "hr", "h1", "h2", "h3",
                           "h4", "h5", "h6", "section", "article", "header", "footer", "address", "center",
                           "caption", "figure", "form", "fieldset", "nav", "aside", "main", "body", "html"})) {
    st.w.end_line();
  }
  return end;
}

// Reads the markup at html[i] == '<'; returns where to continue.
std::size_t markup(std::string_view html, std::size_t i, State& st) {
  if (html.compare(i, 4, "<!--") == 0) {
    const std::size_t close = html.find("-->", i + 4);
    return close == std::string_view::npos ? html.size() : close + 3;
  }
  std::size_t j = i + 1;
  const bool closing = j < html.size() && html[j] == '/';
  if (closing) ++j;
  const bool declaration = j < html.size() && (html[j] == '!' || html[j] == '?');
  if (!declaration && (j >= html.size() || !is_name_char(html[j]) || html[j] == ':')) {
    st.w.put("<");  // a lone '<' in text
    return i + 1;
  }
  std::string name;
  for (; j < html.size() && is_name_char(html[j]); ++j) name += lower(html[j]);
  const std::size_t end = tag_end(html, i);
  return declaration ? end : apply_tag(html, end, name, closing, st);
}

}  // namespace

std::string html_to_text(std::string_view html) {
  State st;
  st.w.text.reserve(html.size() / 2);
  std::string decoded;
  for (std::size_t i = 0; i < html.size();) {
    const char c = html[i];
    if (c == '<') {
      i = markup(html, i, st);
    } else if (c == '&') {
      decoded.clear();
      const std::size_t next = reference(html, i, decoded);
      st.w.put(next == i + 1 ? std::string_view("&") : std::string_view(decoded));
      i = next;
    } else if (is_space(c)) {
      if (st.pre > 0 && c == '\n') st.w.newline();
      else if (st.pre > 0 && c != '\r') st.w.put(std::string_view(&html[i], 1));
      else if (st.pre == 0) st.w.space();
      ++i;
    } else {
      std::size_t j = i + 1;
      while (j < html.size() && html[j] != '<' && html[j] != '&' && !is_space(html[j])) ++j;
      st.w.put(html.substr(i, j - i));
      i = j;
    }
  }
  return std::move(st.w.text);
}

}  // namespace preflight::mail
