// Numbers and addresses in NFKC text: check digits (個人番号, 法人番号, payment cards), Japanese phone
// numbers, postal codes and e-mail addresses, found by one hand-written pass (no regex engine: the
// digit runs are rare in prose and the checks are arithmetic).
//
// A "digit token" is a maximal run of digit groups joined by single separators (see content_text.hpp).
// Numbers are classified by their digit count once separators are folded, but the group lengths are kept:
// "03-1234-5678" is a phone number because of its grouping, "0312345678" alone is not (too ambiguous).
// A token longer than 19 digits matches nothing, so a number inside a longer run never counts.
#include <algorithm>

#include "content_text.hpp"
#include "preflight/detect/content.hpp"

namespace preflight::detect {

namespace {

bool all_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return content_text::is_digit(c); });
}

int digit(char c) { return c - '0'; }

bool luhn(std::string_view d) {
  int sum = 0;
  bool twice = false;
  for (auto it = d.rbegin(); it != d.rend(); ++it, twice = !twice) {
    int v = digit(*it);
    if (twice && (v *= 2) > 9) v -= 9;
    sum += v;
  }
  return sum % 10 == 0;
}

int prefix(std::string_view d, std::size_t n) {
  int v = 0;
  for (std::size_t i = 0; i < n && i < d.size(); ++i) v = v * 10 + digit(d[i]);
  return v;
}

// Issuer ranges with their lengths: Visa, Mastercard, Amex, JCB, Diners.
bool card_prefix_and_length(std::string_view d) {
  const std::size_t n = d.size();
  const int p2 = prefix(d, 2), p3 = prefix(d, 3), p4 = prefix(d, 4);
  if (d[0] == '4') return n == 13 || n == 16 || n == 19;
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n == 16;
  if (p2 == 34 || p2 == 37) return n == 15;
  if (p4 >= 3528 && p4 <= 3589) return n == 16;
  if (p2 == 36 || p2 == 38 || (p3 >= 300 && p3 <= 305)) return n == 14;
  return false;
}

}  // namespace

bool valid_my_number(std::string_view d) {
  if (d.size() != 12 || !all_digits(d)) return false;
  int sum = 0;
  for (int n = 1; n <= 11; ++n) sum += digit(d[static_cast<std::size_t>(11 - n)]) * (n <= 6 ? n + 1 : n - 5);
  const int r = sum % 11;
  return digit(d[11]) == (r <= 1 ? 0 : 11 - r);
}

bool valid_corporate_number(std::string_view d) {
  if (d.size() != 13 || !all_digits(d)) return false;
  int sum = 0;
  for (int n = 1; n <= 12; ++n) sum += digit(d[static_cast<std::size_t>(13 - n)]) * (n % 2 == 1 ? 1 : 2);
  return digit(d[0]) == 9 - sum % 9;
}

bool valid_card_number(std::string_view d) {
  return d.size() >= 13 && d.size() <= 19 && all_digits(d) && card_prefix_and_length(d) && luhn(d);
}

namespace content_text {

namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_local_char(char c) {
  return is_alpha(c) || is_digit(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}
bool is_domain_char(char c) { return is_alpha(c) || is_digit(c) || c == '-'; }

// Domestic phone forms: mobile/IP 0[5789]0-NNNN-NNNN (or unseparated), 0800-NNN-NNNN, and 10-digit
// numbers starting with 0 written in three groups (03-1234-5678, 0467-12-3456, 0120-123-456).
bool is_phone(const DigitToken& t) {
  const std::string_view d = t.view();
  if (d.size() < 10 || d[0] != '0' || d[1] == '0') return false;
  if (d.size() == 11) {
    const bool mobile = (d[1] == '5' || d[1] == '7' || d[1] == '8' || d[1] == '9') && d[2] == '0';
    if (mobile) return t.ngroups == 1 || t.has_groups(3, 4, 4);
    return d.substr(0, 4) == "0800" && t.has_groups(4, 3, 4);
  }
  if (d.size() != 10 || t.ngroups != 3) return false;
  return t.groups[0] >= 2 && t.groups[0] <= 5 && (t.groups[2] == 3 || t.groups[2] == 4);
}

// "+81 90-1234-5678" -> "090-1234-5678".
DigitToken domestic_form(const DigitToken& t) {
  DigitToken d = t;
  d.digits[0] = '0';
  std::copy(t.digits.begin() + 2, t.digits.begin() + t.ndigits, d.digits.begin() + 1);
  d.ndigits = t.ndigits - 1;
  if (t.groups[0] == 2) {
    std::copy(t.groups.begin() + 1, t.groups.end(), d.groups.begin());
    d.ngroups = t.ngroups - 1;
    d.groups[0] = static_cast<std::uint8_t>(d.groups[0] + 1);
  } else {
    d.groups[0] = static_cast<std::uint8_t>(t.groups[0] - 1);
  }
  return d;
}

bool after_postal_mark(std::string_view text, std::size_t pos) {
  if (pos > 0 && text[pos - 1] == ' ') --pos;
  return pos >= 3 && text.substr(pos - 3, 3) == "〒";
}

// 〒 + NNN-NNNN / NNNNNNN, or NNN-NNNN with a hyphen-like separator on its own.
bool is_postal(const DigitToken& t, std::string_view text) {
  const bool mark = after_postal_mark(text, t.begin);
  if (t.has_groups(3, 4)) return mark || !t.space_separated;
  return mark && t.ngroups == 1 && t.ndigits == 7;
}

void classify(const DigitToken& t, std::string_view text, NumberFindings& out) {
  if (t.too_long()) return;
  const std::string_view d = t.view();
  if (t.begin > 0 && text[t.begin - 1] == '+') {  // international: only Japan's +81 means anything here
    if (t.groups[0] >= 2 && d.size() > 2 && d.substr(0, 2) == "81" && is_phone(domestic_form(t))) ++out.phone;
    return;
  }
  if (d.size() == 12 && valid_my_number(d)) out.my_numbers.push_back({t.begin, t.end});
  if (d.size() == 13 && valid_corporate_number(d)) ++out.corporate;
  if (d.size() >= 13 && valid_card_number(d)) ++out.card;
  if (is_phone(t)) ++out.phone;
  if (is_postal(t, text)) ++out.postal;
}

}  // namespace

bool DigitToken::has_groups(int a, int b, int c, int d) const {
  const std::array<int, 4> want{a, b, c, d};
  const int n = static_cast<int>(std::count_if(want.begin(), want.end(), [](int g) { return g >= 0; }));
  if (ngroups != n) return false;
  for (int k = 0; k < n; ++k)
    if (groups[static_cast<std::size_t>(k)] != want[static_cast<std::size_t>(k)]) return false;
  return true;
}

std::size_t read_digit_token(std::string_view t, std::size_t i, DigitToken& tok) {
  tok = DigitToken{};
  tok.begin = i;
  for (;;) {
    int g = 0;
    for (; i < t.size() && is_digit(t[i]); ++i, ++g) {
      if (tok.ndigits < DigitToken::kMaxDigits) tok.digits[static_cast<std::size_t>(tok.ndigits)] = t[i];
      if (tok.ndigits <= DigitToken::kMaxDigits) ++tok.ndigits;  // saturates just past the limit
    }
    if (tok.ngroups < DigitToken::kMaxGroups)
      tok.groups[static_cast<std::size_t>(tok.ngroups)] = static_cast<std::uint8_t>(std::min(g, 255));
    if (tok.ngroups <= DigitToken::kMaxGroups) ++tok.ngroups;
    tok.end = i;
    if (i >= t.size()) break;
    const std::size_t sep = separator_length(t, i);
    if (sep == 0 || i + sep >= t.size() || !is_digit(t[i + sep])) break;
    if (t[i] == ' ') tok.space_separated = true;
    i += sep;
  }
  return tok.end;
}

std::size_t read_email(std::string_view t, std::size_t at, bool& found) {
  found = false;
  std::size_t b = at;
  while (b > 0 && at - b < 64 && is_local_char(t[b - 1])) --b;
  if (b == at) return at + 1;
  std::size_t i = at + 1, labels = 0, last = i;
  for (;;) {
    const std::size_t start = i;
    while (i < t.size() && is_domain_char(t[i])) ++i;
    if (i == start) break;
    ++labels, last = start;
    // A '.' continues the domain only if a label follows ("mail me at a@b.jp." ends at "jp").
    if (i + 1 < t.size() && t[i] == '.' && is_domain_char(t[i + 1])) ++i;
    else break;
  }
  const std::string_view tld = t.substr(last, i - last);
  found = labels >= 2 && tld.size() >= 2 && std::all_of(tld.begin(), tld.end(), is_alpha);
  return std::max(i, at + 1);
}

void scan_numbers(std::string_view text, NumberFindings& out) {
  DigitToken tok;
  for (std::size_t i = find_digit_or_at(text, 0); i < text.size(); i = find_digit_or_at(text, i)) {
    if (text[i] == '@') {
      bool found = false;
      i = read_email(text, i, found);
      out.email += found ? 1 : 0;
      continue;
    }
    i = read_digit_token(text, i, tok);
    classify(tok, text, out);
  }
}

}  // namespace content_text
}  // namespace preflight::detect
