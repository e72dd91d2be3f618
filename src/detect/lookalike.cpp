// Look-alike domains: the definition, compared one by one; see lookalike.hpp.
#include "preflight/detect/lookalike.hpp"

#include <glib.h>
#include <idn2.h>

#include <algorithm>
#include <array>
#include <tuple>

#include "lookalike_text.hpp"
#include "preflight/detect/organisation.hpp"
#include "preflight/util/strings.hpp"

namespace preflight::detect {

namespace {

std::string to_unicode(const std::string& domain) {
  char* out = nullptr;
  if (idn2_to_unicode_8z8z(domain.c_str(), &out, 0) == IDN2_OK && out) {
    std::string u = out;
    idn2_free(out);
    return u;
  }
  return domain;
}

// Script of a letter: 0 Latin/ASCII, 1 Cyrillic, 2 Greek, 3 other (Han, kana …: not confusable with Latin).
int script(char32_t c) {
  if (c < 0x250) return 0;
  if (c >= 0x370 && c < 0x400) return 2;
  if (c >= 0x400 && c < 0x530) return 1;
  return 3;
}

// Public free-mail and mobile-carrier mail services: addresses of people, not of organisations.
const char* const kFreeMail[] = {
    "gmail.com",     "googlemail.com", "hotmail.com",   "hotmail.co.jp", "outlook.com",    "outlook.jp",
    "live.jp",       "live.com",       "msn.com",       "yahoo.co.jp",   "yahoo.com",      "ymail.ne.jp",
    "ymail.com",     "icloud.com",     "me.com",        "mac.com",       "docomo.ne.jp",   "ezweb.ne.jp",
    "au.com",        "softbank.ne.jp", "i.softbank.jp", "nifty.com",     "biglobe.ne.jp",  "aol.com",
    "mail.com",      "gmx.com",        "proton.me",     "protonmail.com", "excite.co.jp",  "zoho.com",
    "yandex.com",    "ybb.ne.jp",      "willcom.com",   "disney.ne.jp",  "emobile.ne.jp", "uqmobile.jp",
};

// The host and each parent of it down to its organisational domain: a.b.example.com, b.example.com, example.com.
std::vector<std::string> ancestors(const std::string& host, const std::string& org) {
  std::vector<std::string> out;
  for (std::string h = host; h.size() > org.size() && h.find('.') != std::string::npos; h = h.substr(h.find('.') + 1))
    out.push_back(h);
  out.push_back(org);
  return out;
}

std::string dots_to_hyphens(std::string s) {
  std::replace(s.begin(), s.end(), '.', '-');
  return s;
}

// One edit (insertion, deletion, substitution or swap of neighbours) in the label under the same public
// suffix. Two edits, or an edit plus another suffix, is how two real companies differ (seiwa-kagaku.com and
// heiwa-kagaku.co.jp, tosa-seiyaku and toyo-seiyaku): replayed days of mail showed that such pairs are
// ordinary new contacts, while a forged domain changes one letter or swaps look-alike letters (confusable).
std::string typo_or_nothing(const DomainName& q, const DomainName& k) {
  std::size_t a = q.label_points.size(), b = k.label_points.size();
  if (q.suffix != k.suffix || std::max(a, b) < 4 || (a > b ? a - b : b - a) > 1) return {};
  return lookalike_text::osa_distance(q.label_points, k.label_points) <= 1 ? "typo" : "";
}

}  // namespace

int edit_distance(std::string_view a8, std::string_view b8) {
  return lookalike_text::osa_distance(lookalike_text::code_points(a8), lookalike_text::code_points(b8));
}

std::string registrable_label(const std::string& domain) {
  std::string org = to_unicode(organisational_domain(domain));
  return org.substr(0, org.find('.'));
}

std::string confusable_skeleton(std::string_view text) {
  static const std::pair<std::u32string, std::u32string> folds[] = {
      {U"rn", U"m"}, {U"vv", U"w"}, {U"cl", U"d"}, {U"1", U"l"}, {U"i", U"l"}, {U"0", U"o"},
      {U"а", U"a"},  {U"е", U"e"},  {U"є", U"e"},  {U"о", U"o"},  {U"р", U"p"}, {U"с", U"c"}, {U"х", U"x"},
      {U"у", U"y"},  {U"і", U"l"},  {U"ј", U"j"},  {U"ѕ", U"s"}, {U"ο", U"o"}, {U"α", U"a"},
      {U"ε", U"e"},  {U"ι", U"l"},  {U"κ", U"k"},  {U"ν", U"v"}, {U"τ", U"t"}, {U"ρ", U"p"}};
  std::u32string s = lookalike_text::code_points(util::to_lower(text));
  std::u32string out;
  for (std::size_t i = 0; i < s.size();) {
    bool folded = false;
    for (const auto& [from, to] : folds)
      if (s.compare(i, from.size(), from) == 0) {
        out += to, i += from.size(), folded = true;
        break;
      }
    if (!folded) out += s[i++];
  }
  gchar* utf8 = g_ucs4_to_utf8(reinterpret_cast<const gunichar*>(out.data()), static_cast<glong>(out.size()), nullptr,
                               nullptr, nullptr);
  std::string r = utf8 ? utf8 : "";
  g_free(utf8);
  return r;
}

bool mixed_script(const std::string& domain) {
  for (const auto& label : util::split(to_unicode(domain), '.')) {
    bool seen[4] = {false, false, false, false};
    for (char32_t c : lookalike_text::code_points(label))
      if (c > 0x40) seen[script(c)] = true;  // letters only matter; digits and '-' are shared
    if (seen[0] + seen[1] + seen[2] > 1) return true;
  }
  return false;
}

bool is_free_mail(const std::string& domain) {
  static const std::vector<std::string> orgs = [] {
    std::vector<std::string> v;
    for (const char* d : kFreeMail) v.push_back(organisational_domain(d));
    std::sort(v.begin(), v.end());
    return v;
  }();
  return std::binary_search(orgs.begin(), orgs.end(), organisational_domain(normalise_domain(domain)));
}

DomainName domain_name(const std::string& host) {
  DomainName n;
  n.host = normalise_domain(host);
  n.org = organisational_domain(n.host);
  std::string unicode = to_unicode(n.org);
  n.label = unicode.substr(0, unicode.find('.'));
  auto dot = n.org.find('.');
  n.suffix = dot == std::string::npos ? std::string() : n.org.substr(dot + 1);
  n.skeleton = confusable_skeleton(n.label);
  n.ancestors = ancestors(n.host, n.org);
  for (const auto& a : n.ancestors) n.folds.push_back(dots_to_hyphens(a));
  n.label_points = lookalike_text::code_points(n.label);
  n.free_mail = is_free_mail(n.org);
  return n;
}

LookAlike resemblance(const DomainName& q, const DomainName& k) {
  LookAlike none{q.org, "", ""};
  if (q.org == k.org || q.label.empty() || k.label.empty() || (q.free_mail && k.free_mail)) return none;
  if (q.label == k.label) return {q.org, k.org, q.suffix != k.suffix ? "suffix" : ""};
  if (q.skeleton == k.skeleton) return {q.org, k.org, "confusable"};
  for (const auto& qf : q.folds)
    for (std::size_t i = 0; i < k.folds.size(); ++i)
      if (qf == k.folds[i]) return {q.org, k.ancestors[i], "dot-hyphen"};
  return {q.org, k.org, typo_or_nothing(q, k)};
}

namespace lookalike_text {

std::u32string code_points(std::string_view s) {
  std::u32string out;
  const char* p = s.data();
  const char* end = p + s.size();
  while (p < end) {
    gunichar c = g_utf8_get_char_validated(p, end - p);
    if (c == static_cast<gunichar>(-1) || c == static_cast<gunichar>(-2)) {
      out.push_back(static_cast<unsigned char>(*p++));
      continue;
    }
    out.push_back(c);
    p = g_utf8_next_char(p);
  }
  return out;
}

// Three rolling rows (i-2, i-1, i) of the distance table.
int osa_distance(std::u32string_view a, std::u32string_view b) {
  constexpr std::size_t kStack = 64;
  std::size_t m = b.size();
  std::array<int, 3 * kStack> stack{};
  std::vector<int> heap(m + 1 > kStack ? 3 * (m + 1) : 0);
  int* rows = heap.empty() ? stack.data() : heap.data();
  auto row = [&](std::size_t i) { return rows + (i % 3) * (m + 1); };
  for (std::size_t j = 0; j <= m; ++j) row(0)[j] = static_cast<int>(j);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    int *cur = row(i), *prev = row(i - 1), *prev2 = row(i + 1);  // (i + 1) % 3 == (i - 2) % 3
    cur[0] = static_cast<int>(i);
    for (std::size_t j = 1; j <= m; ++j) {
      int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) cur[j] = std::min(cur[j], prev2[j - 2] + 1);
    }
  }
  return row(a.size())[m];
}

void sort_unique(std::vector<LookAlike>& v) {
  auto key = [](const LookAlike& l) { return std::tie(l.known, l.how); };
  std::sort(v.begin(), v.end(), [&](const LookAlike& a, const LookAlike& b) { return key(a) < key(b); });
  v.erase(std::unique(v.begin(), v.end(), [&](const LookAlike& a, const LookAlike& b) { return key(a) == key(b); }),
          v.end());
}

}  // namespace lookalike_text

std::vector<LookAlike> find_lookalikes(const std::string& host, const std::vector<std::string>& known) {
  DomainName q = domain_name(host);
  std::vector<DomainName> names;
  for (const auto& k : known) names.push_back(domain_name(k));
  std::vector<LookAlike> out;
  if (std::any_of(names.begin(), names.end(), [&](const DomainName& k) { return k.org == q.org; })) return out;
  if (mixed_script(q.org)) out.push_back({q.org, "", "mixed-script"});
  for (const auto& k : names)
    if (LookAlike l = resemblance(q, k); !l.how.empty()) out.push_back(std::move(l));
  lookalike_text::sort_unique(out);
  return out;
}

}  // namespace preflight::detect
