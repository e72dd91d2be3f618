// Postfix log reading; see postfix_log.hpp.
#include "preflight/context/postfix_log.hpp"

#include <ctime>

#include "preflight/mail/date.hpp"
#include "preflight/util/strings.hpp"

namespace preflight::context {

namespace {

// The value of `key=<…>` in a log line.
std::optional<std::string> field(std::string_view line, std::string_view key) {
  std::size_t pos = line.find(key);
  if (pos == std::string_view::npos) return std::nullopt;
  pos += key.size();
  std::size_t end = line.find('>', pos);
  if (end == std::string_view::npos) return std::nullopt;
  return util::to_lower(line.substr(pos, end - pos));
}

// "postfix/smtp[123]: 4ABC123DEF: to=<…>" → "4ABC123DEF"
std::optional<std::string> queue_id(std::string_view line) {
  std::size_t p = line.find("]: ");
  if (p == std::string_view::npos) return std::nullopt;
  p += 3;
  std::size_t colon = line.find(": ", p);
  if (colon == std::string_view::npos || colon - p > 32 || colon == p) return std::nullopt;
  std::string_view id = line.substr(p, colon - p);
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c))) return std::nullopt;
  return std::string(id);
}

}  // namespace

// Traditional syslog stamps carry no year nor zone (read as UTC in `year_`); RFC 3339 stamps are read
// with their offset (`2026-11-20T08:00:00.123+09:00` is 23:00 UTC the day before).
std::int64_t PostfixLogReader::timestamp(std::string_view line) const {
  std::tm tm{};
  std::string head(line.substr(0, 32));
  if (head.size() > 19 && head[4] == '-' && head[10] == 'T') {
    if (auto t = mail::parse_iso8601(line.substr(0, line.find(' ')))) return *t;
    strptime(head.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  } else {
    strptime(head.c_str(), "%b %d %H:%M:%S", &tm);
    tm.tm_year = year_ - 1900;
  }
  return static_cast<std::int64_t>(timegm(&tm));
}

std::optional<LogDelivery> PostfixLogReader::feed(std::string_view line) {
  ++lines_;
  if (line.find("postfix") == std::string_view::npos) return std::nullopt;
  auto id = queue_id(line);
  if (!id) return std::nullopt;
  if (auto from = field(line, " from=<"); from && line.find("/qmgr[") != std::string_view::npos) {
    senders_[*id] = *from;
    return std::nullopt;
  }
  if (line.find("status=sent") == std::string_view::npos) return std::nullopt;
  auto to = field(line, " to=<");
  auto sender = senders_.find(*id);
  if (!to || sender == senders_.end() || sender->second.empty()) return std::nullopt;
  return LogDelivery{*id, sender->second, *to, timestamp(line)};
}

}  // namespace preflight::context
