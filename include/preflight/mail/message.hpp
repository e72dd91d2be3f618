// The message model: everything detectors need, decoded once at end of message. Plain data, no GMime
// types, so detectors, the policy and the engine never see the parser.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "preflight/mail/address.hpp"

namespace preflight::mail {

struct Header {
  std::string name;   // as written
  std::string value;  // raw value, unfolded (no leading blank)
};

struct Attachment {
  std::string filename;      // UTF-8, decoded (RFC 2231, encoded-words, raw 8-bit); may be empty
  std::string content_type;  // lower-case "type/subtype"
  std::size_t size = 0;      // decoded size in bytes
  std::string data;          // decoded bytes, for inspection; empty when larger than ParseLimits allows
};

// What the parser knows of one text part besides its text (Message::text_info[i] describes texts[i]).
struct TextInfo {
  std::string content_type;  // lower-case "text/plain", "text/html", ...
  int alternative = -1;      // which multipart/alternative (0, 1, ... in document order) it renders, or -1
  int branch = 0;            // which alternative of that multipart (child index) it belongs to
};

struct Message {
  std::vector<Header> headers;                // top-level headers in order
  std::vector<AddressHeader> address_headers; // From, To, Cc, Bcc, Reply-To occurrences in order
  std::string subject;                        // UTF-8, decoded
  std::string message_id, in_reply_to, references;
  std::vector<std::string> texts;             // text parts (plain, html) as UTF-8, bounded in size
  std::vector<TextInfo> text_info;            // one per texts[i]: its type and its alternative group
  std::vector<Attachment> attachments;
  std::size_t size = 0;                       // bytes of the raw message
  bool header_cut = false;                    // an address header looks cut by the MTA (too long)
  std::vector<std::string> problems;          // parse problems worth a log line
  std::vector<std::string> incomplete;        // what the parser left out: "parts" (beyond max_parts)

  // All addresses of the headers with this name ("To", "Cc", ...), case-insensitive.
  std::vector<Address> addresses(std::string_view header_name) const;
  // texts[i] is HTML (text/html); false when text_info does not describe it.
  bool text_is_html(std::size_t i) const;
  // texts[i] as plain text: HTML reduced by html_to_text (html_text.hpp), other types as they are.
  std::string plain_text(std::size_t i) const;
};

}  // namespace preflight::mail
