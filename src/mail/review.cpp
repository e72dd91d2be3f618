// Review texts and the comparison of alternatives; see review.hpp.
#include "preflight/mail/review.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "preflight/mail/html_text.hpp"
#include "preflight/util/charset.hpp"
#include "preflight/util/strings.hpp"

namespace preflight::mail {

namespace {

struct Tokens {
  std::set<std::string> words, numbers, addresses, urls;
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool in_local_part(char c) { return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'; }
bool in_domain(char c) { return is_alnum(c) || c == '.' || c == '-'; }
bool ends_url(char c) {
  return static_cast<unsigned char>(c) <= ' ' || c == '<' || c == '>' || c == '"' || c == '\'' ||
         static_cast<unsigned char>(c) >= 0x80;
}

std::string url_key(std::string url) {
  while (!url.empty() && std::string_view(".,;:!?)]").find(url.back()) != std::string_view::npos) url.pop_back();
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// Takes URLs out of `t` (they become blanks) into `out`.
void take_urls(std::string& t, std::set<std::string>& out) {
  for (std::string_view scheme : {"https://", "http://", "www."}) {
    for (std::size_t at = t.find(scheme); at != std::string::npos; at = t.find(scheme, at)) {
      std::size_t end = at;
      while (end < t.size() && !ends_url(t[end])) ++end;
      std::string key = url_key(t.substr(at, end - at));
      if (key.rfind("www.", 0) == 0) key = "http://" + key;
      if (key.size() > 8) out.insert(key);
      std::fill(t.begin() + static_cast<std::ptrdiff_t>(at), t.begin() + static_cast<std::ptrdiff_t>(end), ' ');
    }
  }
}

// Takes mail addresses out of `t` into `out`.
void take_addresses(std::string& t, std::set<std::string>& out) {
  for (std::size_t at = t.find('@'); at != std::string::npos; at = t.find('@', at + 1)) {
    std::size_t begin = at, end = at + 1;
    while (begin > 0 && in_local_part(t[begin - 1])) --begin;
    while (end < t.size() && in_domain(t[end])) ++end;
    while (end > at + 1 && t[end - 1] == '.') --end;
    std::string domain = t.substr(at + 1, end - at - 1);
    if (begin == at || domain.find('.') == std::string::npos) continue;
    out.insert(t.substr(begin, end - begin));
    std::fill(t.begin() + static_cast<std::ptrdiff_t>(begin), t.begin() + static_cast<std::ptrdiff_t>(end), ' ');
  }
}

// Numbers of three or more digits, separators between digits ignored; words of ASCII letters and digits.
void take_numbers_and_words(const std::string& t, Tokens& out) {
  for (std::size_t i = 0; i < t.size();) {
    if (is_digit(t[i])) {
      std::string digits;
      while (i < t.size() && (is_digit(t[i]) || ((t[i] == ',' || t[i] == '.') && i + 1 < t.size() && is_digit(t[i + 1]) &&
                                                 !digits.empty())))
        if (is_digit(t[i++])) digits += t[i - 1];
      if (digits.size() >= 3) out.numbers.insert(digits);  // numbers are compared as numbers, not as words
    } else if (is_alnum(t[i])) {
      std::size_t start = i;
      while (i < t.size() && is_alnum(t[i])) ++i;
      out.words.insert(t.substr(start, i - start));
    } else {
      ++i;
    }
  }
}

// Pairs of adjacent non-ASCII characters (a run of one is its own word): Japanese has no spaces.
void take_wide_words(const std::string& t, std::set<std::string>& out) {
  std::string prev;
  for (std::size_t i = 0; i < t.size();) {
    unsigned char c = static_cast<unsigned char>(t[i]);
    std::size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    std::string ch = t.substr(i, n);
    i += n;
    bool wide = c >= 0xC0 && ch != "\xE3\x80\x80" && ch != "\xE3\x80\x81" && ch != "\xE3\x80\x82";  // not 　、。
    if (!wide) {
      prev.clear();
      continue;
    }
    out.insert(prev.empty() ? ch : prev + ch);
    prev = ch;
  }
}

Tokens tokens_of(std::string_view text) {
  Tokens out;
  std::string t = util::to_lower(util::nfkc(text));
  take_urls(t, out.urls);
  take_addresses(t, out.addresses);
  take_numbers_and_words(t, out);
  take_wide_words(t, out.words);
  return out;
}

// The http(s) and mailto: targets of the links of an HTML source.
void add_link_targets(std::string_view html, Tokens& out) {
  std::string src = util::to_lower(util::nfkc(html));
  for (std::size_t at = src.find("href="); at != std::string::npos; at = src.find("href=", at + 5)) {
    std::size_t begin = at + 5;
    char quote = begin < src.size() && (src[begin] == '"' || src[begin] == '\'') ? src[begin++] : ' ';
    std::size_t end = src.find_first_of(quote == ' ' ? std::string(" >") : std::string(1, quote), begin);
    std::string target = src.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
    for (std::size_t amp; (amp = target.find("&amp;")) != std::string::npos;) target.replace(amp, 5, "&");
    if (target.rfind("mailto:", 0) == 0) out.addresses.insert(target.substr(7, target.find('?') - 7));
    else if (target.rfind("http", 0) == 0) out.urls.insert(url_key(target));
  }
}

std::vector<std::string> only_in(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::vector<std::string> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

void report(const char* where, const std::vector<std::string>& items, std::vector<std::string>& out) {
  if (items.empty()) return;
  std::vector<std::string> shown(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(5, items.size())));
  out.push_back(std::string("only in ") + where + ": " + util::join(shown, ", ") + (items.size() > 5 ? ", …" : ""));
}

std::size_t utf8_cut(std::string_view s, std::size_t limit) {
  if (s.size() <= limit) return s.size();
  while (limit > 0 && (static_cast<unsigned char>(s[limit]) & 0xC0) == 0x80) --limit;
  return limit;
}

std::string kib(std::size_t bytes) { return std::to_string((bytes + 1023) / 1024) + " KiB"; }

}  // namespace

std::vector<std::string> alternative_differences(std::string_view plain, std::string_view html_source) {
  Tokens p = tokens_of(plain), h = tokens_of(html_to_text(html_source));
  add_link_targets(html_source, h);
  std::vector<std::string> out;
  for (auto kind : {&Tokens::urls, &Tokens::addresses, &Tokens::numbers}) {
    report("text/plain", only_in(p.*kind, h.*kind), out);
    report("text/html", only_in(h.*kind, p.*kind), out);
  }
  std::vector<std::string> common;
  std::set_intersection(p.words.begin(), p.words.end(), h.words.begin(), h.words.end(), std::back_inserter(common));
  std::size_t all = p.words.size() + h.words.size() - common.size();
  if (p.words.size() >= 5 && h.words.size() >= 5 && common.size() * 5 < all * 4) {
    auto differ = static_cast<int>(std::lround(100.0 * static_cast<double>(all - common.size()) / static_cast<double>(all)));
    out.push_back("the words differ by " + std::to_string(differ) + " %");
  }
  return out;
}

Review review_texts(const Message& m, std::size_t limit) {
  Review r;
  for (std::size_t i = 0; i < m.texts.size(); ++i) {
    std::string text = m.plain_text(i);
    ReviewText t{i < m.text_info.size() ? m.text_info[i].content_type : "text/plain", {}, text.size()};
    t.text = text.substr(0, utf8_cut(text, limit));
    r.texts.push_back(std::move(t));
  }
  // Within each multipart/alternative: its first text/plain against its first text/html.
  for (std::size_t i = 0; i < m.texts.size() && i < m.text_info.size(); ++i) {
    if (m.text_info[i].alternative < 0 || m.text_info[i].content_type != "text/plain") continue;
    for (std::size_t j = 0; j < m.texts.size() && j < m.text_info.size(); ++j)
      if (m.text_info[j].alternative == m.text_info[i].alternative && m.text_is_html(j)) {
        for (auto& d : alternative_differences(m.texts[i], m.texts[j])) r.differences.push_back(std::move(d));
        break;
      }
  }
  return r;
}

std::string truncation_mark(std::size_t shown_bytes, std::size_t full_bytes, bool japanese) {
  if (japanese) return "…（" + kib(shown_bytes) + " で省略、全体 " + kib(full_bytes) + "）";
  return "… (truncated at " + kib(shown_bytes) + " of " + kib(full_bytes) + ")";
}

}  // namespace preflight::mail
