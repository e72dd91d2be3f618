// Private to src/queue: the words of a notice — Subject and body lines in UTF-8, before any charset or
// transfer encoding. Untrusted input (subject, names, reasons, comment) comes out as single clean lines.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "preflight/queue/notice.hpp"

namespace preflight::queue::detail {

struct NoticeText {
  std::string subject;             // one line, not yet RFC 2047-encoded
  std::vector<std::string> lines;  // body lines without line ends
};

NoticeText notice_text(const NoticeInput& in);

// The X-Preflight-Notice value, e.g. "held-for-delay": stable, for filters and scripts.
std::string_view kind_name(NoticeKind kind);

// "YYYY-MM-DD HH:MM (JST)" (UTC+9, Japan has no DST) or "YYYY-MM-DD HH:MM UTC".
std::string format_time(std::int64_t unix_seconds, bool japanese);

}  // namespace preflight::queue::detail
