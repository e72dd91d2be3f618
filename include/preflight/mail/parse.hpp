// Parsing a raw RFC 5322 message into the message model with GMime 3. Called once per message.
// Limits keep memory bounded: text parts are decoded up to `max_text_bytes` each, attachments are only
// measured (streamed through a counting sink), and a file-backed message is parsed without copying it.
// An attached message (message/rfc822, "forward as attachment") is mail too: its shown headers and its
// texts (all alternatives) join Message::texts, its attachments join Message::attachments named under it
// ("Fw.eml/a.zip"), recursively up to `max_message_depth`, its parts counted against `max_parts`. Its
// From/To/Cc are not this mail's: they are text, never address_headers. A text/rfc822-headers part is
// likewise read as decoded header lines. Every limit that cuts something short is a Message::incomplete.
// Thread-safe: GMime is initialised once per process (mail::init()); each call has its own parser.
#pragma once
#include <cstddef>
#include <string_view>
#include <vector>

#include "preflight/mail/message.hpp"
#include "preflight/util/result.hpp"

namespace preflight::mail {

struct ParseLimits {
  std::size_t max_text_bytes = 4 * 1024 * 1024;  // per text part
  std::size_t max_parts = 1000;                  // over the whole tree, attached messages included
  int max_message_depth = 3;                     // attached messages inside attached messages
  std::size_t max_attachment_bytes = 32 * 1024 * 1024;  // larger attachments are measured, not kept
};

// Initialises GMime; call once before any other thread parses (idempotent).
void init();

util::Result<Message> parse_message(std::string_view raw, const ParseLimits& limits = {});
// Parses the message held in an open file (read from offset 0; the descriptor is not closed).
util::Result<Message> parse_message_fd(int fd, const ParseLimits& limits = {});

// The addresses of one To/Cc/… header value as written (raw, possibly folded); group members are
// included, an empty group ("undisclosed-recipients:;") has none.
std::vector<Address> parse_address_list(std::string_view value);

}  // namespace preflight::mail
