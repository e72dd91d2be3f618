// Reading Postfix mail logs to bootstrap the delivery history (`preflightctl history import`): a
// `from=<…>` line of qmgr gives a queue id's sender, each `to=<…>, … status=sent` line of smtp/lmtp/local
// a recipient that was delivered. Syslog ("Nov 23 10:00:01") and ISO 8601 timestamps are understood.
// Feed lines in log order; several rotated files are one stream (oldest first).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace preflight::context {

struct LogDelivery {
  std::string queue_id, from, to;
  std::int64_t at = 0;  // unix seconds
};

class PostfixLogReader {
 public:
  // `year` fills in syslog timestamps, which have none.
  explicit PostfixLogReader(int year) : year_(year) {}
  std::optional<LogDelivery> feed(std::string_view line);
  std::size_t lines() const { return lines_; }

 private:
  std::int64_t timestamp(std::string_view line) const;
  std::map<std::string, std::string> senders_;  // queue id -> sender
  int year_;
  std::size_t lines_ = 0;
};

}  // namespace preflight::context
