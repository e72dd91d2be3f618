// Date parsing for mail; see date.hpp.
#include "preflight/mail/date.hpp"

#include <array>
#include <cctype>
#include <string>
#include <vector>

#include "preflight/util/strings.hpp"

namespace preflight::mail {

namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

int to_int(std::string_view s) {
  int n = 0;
  for (char c : s) n = n * 10 + (c - '0');
  return n;
}

// Words of a Date value: comments removed, split at blanks and commas.
std::vector<std::string_view> words(std::string_view text, std::string& storage) {
  storage.clear();
  int depth = 0;
  for (char c : text) {
    if (c == '(') ++depth;
    else if (c == ')' && depth > 0) --depth;
    else if (depth == 0) storage += (c == ',' || c == '\t' || c == '\r' || c == '\n') ? ' ' : c;
  }
  std::vector<std::string_view> out;
  std::string_view rest = storage;
  while (!rest.empty()) {
    auto start = rest.find_first_not_of(' ');
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    auto end = rest.find(' ');
    out.push_back(rest.substr(0, end));
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
  }
  return out;
}

int month_number(std::string_view word) {
  static const std::array<const char*, 12> names = {"jan", "feb", "mar", "apr", "may", "jun",
                                                    "jul", "aug", "sep", "oct", "nov", "dec"};
  if (word.size() < 3) return 0;
  std::string w = util::to_lower(word.substr(0, 3));
  for (std::size_t i = 0; i < names.size(); ++i)
    if (w == names[i]) return static_cast<int>(i) + 1;
  return 0;
}

// Seconds east of UTC for "+0900", "-0500" or a zone name; 0 for what is not known.
std::int64_t zone_offset(std::string_view z) {
  if (z.size() == 5 && (z[0] == '+' || z[0] == '-') && all_digits(z.substr(1))) {
    std::int64_t off = to_int(z.substr(1, 2)) * 3600 + to_int(z.substr(3, 2)) * 60;
    return z[0] == '-' ? -off : off;
  }
  struct Named { const char* name; int hours; };
  static const std::array<Named, 9> named = {{{"est", -5}, {"edt", -4}, {"cst", -6}, {"cdt", -5}, {"mst", -7},
                                              {"mdt", -6}, {"pst", -8}, {"pdt", -7}, {"jst", 9}}};
  std::string w = util::to_lower(z);
  for (const auto& n : named)
    if (w == n.name) return n.hours * 3600;
  return 0;  // UT, GMT, military letters and unknown names
}

// "HH:MM" or "HH:MM:SS" into seconds of the day; -1 when it is not a time.
int time_of_day(std::string_view t) {
  std::array<int, 3> part = {0, 0, 0};
  std::size_t n = 0;
  while (n < 3) {
    auto colon = t.find(':');
    std::string_view p = t.substr(0, colon);
    if (!all_digits(p) || p.size() > 2) return -1;
    part[n++] = to_int(p);
    if (colon == std::string_view::npos) break;
    t.remove_prefix(colon + 1);
  }
  if (n < 2 || part[0] > 23 || part[1] > 59 || part[2] > 60) return -1;
  return part[0] * 3600 + part[1] * 60 + part[2];
}

int full_year(std::string_view y) {
  int n = to_int(y);
  if (y.size() == 2) return n < 50 ? 2000 + n : 1900 + n;
  if (y.size() == 3) return 1900 + n;
  return n;
}

}  // namespace

std::int64_t civil_to_unix(int year, int month, int day, int hour, int minute, int second) {
  // Days since 1970-01-01 by counting from March (leap days fall at the end of a "year").
  std::int64_t y = year - (month <= 2 ? 1 : 0);
  std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  std::int64_t yoe = y - era * 400;
  std::int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  std::int64_t days = era * 146097 + doe - 719468;
  return days * 86400 + hour * 3600 + minute * 60 + second;
}

std::optional<std::int64_t> parse_date(std::string_view text) {
  std::string storage;
  auto w = words(text, storage);
  std::size_t i = 0;
  if (i < w.size() && !w[i].empty() && std::isalpha(static_cast<unsigned char>(w[i][0]))) ++i;  // day name
  if (i + 4 > w.size() || !all_digits(w[i]) || !all_digits(w[i + 2]) || w[i + 2].size() < 2) return std::nullopt;
  int day = to_int(w[i]), month = month_number(w[i + 1]), year = full_year(w[i + 2]);
  int tod = time_of_day(w[i + 3]);
  if (month == 0 || day < 1 || day > 31 || tod < 0 || year < 1970) return std::nullopt;
  std::int64_t offset = i + 4 < w.size() ? zone_offset(w[i + 4]) : 0;
  return civil_to_unix(year, month, day, 0, 0, 0) + tod - offset;
}

std::optional<std::int64_t> parse_iso8601(std::string_view t, std::int64_t default_offset) {
  auto num = [&](std::size_t pos, std::size_t len) {
    return pos + len <= t.size() && all_digits(t.substr(pos, len)) ? to_int(t.substr(pos, len)) : -1;
  };
  if (t.size() < 10) return std::nullopt;
  int year = num(0, 4), month = num(5, 2), day = num(8, 2);
  if (year < 1970 || t[4] != '-' || t[7] != '-' || month < 1 || month > 12 || day < 1 || day > 31)
    return std::nullopt;
  std::int64_t base = civil_to_unix(year, month, day, 0, 0, 0);
  if (t.size() == 10) return base - default_offset;
  if (t[10] != 'T' && t[10] != 't' && t[10] != ' ') return std::nullopt;
  int hour = num(11, 2), minute = num(14, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || t.size() < 16 || t[13] != ':') return std::nullopt;
  std::size_t pos = 16;
  int second = 0;
  if (pos < t.size() && t[pos] == ':') {
    if ((second = num(pos + 1, 2)) < 0 || second > 60) return std::nullopt;
    pos += 3;
  }
  if (pos < t.size() && (t[pos] == '.' || t[pos] == ','))
    while (++pos < t.size() && std::isdigit(static_cast<unsigned char>(t[pos]))) {}
  std::string_view zone = t.substr(pos);
  std::int64_t offset = default_offset;
  if (zone == "Z" || zone == "z") offset = 0;
  else if (!zone.empty()) {
    std::string z(zone);
    if (z.size() == 6 && z[3] == ':') z.erase(3, 1);
    if (z.size() != 5 || (z[0] != '+' && z[0] != '-') || !all_digits(z.substr(1))) return std::nullopt;
    offset = zone_offset(z);
  }
  return base + hour * 3600 + minute * 60 + second - offset;
}

}  // namespace preflight::mail
