// What the notice outbox stores: the notice's data and the actions its links will offer, as JSON, never
// the composed mail. Links are signed only when the notice is sent, so neither an unsent nor a sent row
// holds a usable approve link: whoever reads the database cannot decide anything with it.
// Internal to the queue module.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "preflight/queue/notice.hpp"

namespace preflight::queue::detail {

struct NoticeSpec {
  NoticeInput input;                 // without links
  std::vector<std::string> actions;  // "approve", "reject", "approve-bcc", "cancel"
  std::int64_t links_until = 0;      // unix seconds the links may live at most
};

std::string notice_spec_json(const NoticeSpec& spec);
// nullopt when `text` is not a notice spec (a row an older version stored as a composed mail).
std::optional<NoticeSpec> parse_notice_spec(const std::string& text);

}  // namespace preflight::queue::detail
