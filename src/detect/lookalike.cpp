// Look-alike domains; see lookalike.hpp.
#include "preflight/detect/lookalike.hpp"

#include <glib.h>
#include <idn2.h>

#include <algorithm>

#include "preflight/detect/organisation.hpp"
#include "preflight/util/strings.hpp"

namespace preflight::detect {

namespace {

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

std::string suffix_of(const std::string& domain) {
  std::string org = organisational_domain(domain);
  auto dot = org.find('.');
  return dot == std::string::npos ? std::string() : org.substr(dot + 1);
}

}  // namespace

int edit_distance(std::string_view a8, std::string_view b8) {
  std::u32string a = code_points(a8), b = code_points(b8);
  std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
  for (std::size_t i = 1; i <= n; ++i)
    for (std::size_t j = 1; j <= m; ++j) {
      int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[n][m];
}

std::string registrable_label(const std::string& domain) {
  std::string org = to_unicode(organisational_domain(domain));
  return org.substr(0, org.find('.'));
}

std::string confusable_skeleton(std::string_view text) {
  static const std::pair<std::u32string, std::u32string> folds[] = {
      {U"rn", U"m"}, {U"vv", U"w"}, {U"cl", U"d"}, {U"1", U"l"}, {U"i", U"l"}, {U"0", U"o"},
      {U"а", U"a"},  {U"е", U"e"},  {U"о", U"o"},  {U"р", U"p"}, {U"с", U"c"}, {U"х", U"x"},
      {U"у", U"y"},  {U"і", U"l"},  {U"ј", U"j"},  {U"ѕ", U"s"}, {U"ο", U"o"}, {U"α", U"a"},
      {U"ε", U"e"},  {U"ι", U"l"},  {U"κ", U"k"},  {U"ν", U"v"}, {U"τ", U"t"}, {U"ρ", U"p"}};
  std::u32string s = code_points(util::to_lower(text));
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
    for (char32_t c : code_points(label))
      if (c > 0x40) seen[script(c)] = true;  // letters only matter; digits and '-' are shared
    if (seen[0] + seen[1] + seen[2] > 1) return true;
  }
  return false;
}

std::vector<LookAlike> find_lookalikes(const std::string& domain, const std::vector<std::string>& known) {
  std::vector<LookAlike> out;
  std::string org = organisational_domain(domain);
  if (std::find(known.begin(), known.end(), org) != known.end()) return out;
  if (mixed_script(org)) out.push_back({org, "", "mixed-script"});
  std::string label = registrable_label(org), skeleton = confusable_skeleton(label);
  for (const auto& k : known) {
    std::string klabel = registrable_label(k);
    if (klabel.empty() || label.empty()) continue;
    if (klabel == label && suffix_of(k) != suffix_of(org)) {
      out.push_back({org, k, "suffix"});
    } else if (klabel != label && confusable_skeleton(klabel) == skeleton) {
      out.push_back({org, k, "confusable"});
    } else if (klabel != label) {
      int limit = std::min(label.size(), klabel.size()) >= 6 ? 2 : 1;
      if (std::max(label.size(), klabel.size()) >= 4 && edit_distance(label, klabel) <= limit)
        out.push_back({org, k, "typo"});
    }
  }
  return out;
}

}  // namespace preflight::detect
