// The message model: everything detectors need, decoded once at end of message. Plain data, no GMime
// types, so detectors, the policy and the engine never see the parser.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
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
  int forwarded = 0;         // message/rfc822 levels above it: 0 the mail's own, 1 inside an attached message, ...
};

// What the parser knows of one text part besides its text (Message::text_info[i] describes texts[i]).
struct TextInfo {
  std::string content_type;  // lower-case "text/plain", "text/html", ...
  int alternative = -1;      // which multipart/alternative (0, 1, ... in document order) it renders, or -1
  int branch = 0;            // which alternative of that multipart (child index) it belongs to
  int forwarded = 0;         // message/rfc822 levels above it: 0 the mail's own body, 1 an attached message's
};

// Something the parser did not read in full; detect/ reports these (attachments.incomplete).
struct Incomplete {
  std::string name;    // the attachment or attached message ("Fw.eml/a.zip", "Fw.eml"); empty: the whole mail
  std::string reason;  // "parts": more than ParseLimits::max_parts MIME parts, the rest was skipped;
                       // "depth": an attached message nested deeper than max_message_depth, not read;
                       // "bytes": an attachment over max_attachment_bytes, measured but not kept (no data);
                       // "text": a text part over max_text_bytes, cut there
};

// The headers that show every reader who else got the mail: To, Cc and their re-sent forms Resent-To and
// Resent-Cc (case-insensitive).
bool shows_recipients(std::string_view header_name);

struct Message {
  std::vector<Header> headers;                // top-level headers in order
  std::vector<AddressHeader> address_headers; // From, To, Cc, Bcc, Reply-To, Resent-To, Resent-Cc in order
  std::string subject;                        // UTF-8, decoded
  std::string message_id, in_reply_to, references;
  std::vector<std::string> texts;             // text parts (plain, html) as UTF-8, bounded in size; an attached
                                              // message adds its shown headers (text/rfc822-headers) and texts
  std::vector<TextInfo> text_info;            // one per texts[i]: its type and its alternative group
  std::vector<Attachment> attachments;         // attached messages' attachments too, named "Fw.eml/a.zip"
  int forwarded_messages = 0;                  // message/rfc822 parts, at any depth (read or not)
  std::size_t size = 0;                       // bytes of the raw message
  bool header_cut = false;                    // an address header looks cut by the MTA (too long)
  std::vector<std::string> problems;          // parse problems worth a log line
  std::vector<Incomplete> incomplete;         // what was not read in full, and why

  // All addresses of the headers with this name ("To", "Cc", ...), case-insensitive.
  std::vector<Address> addresses(std::string_view header_name) const;
  // All addresses of the headers that show recipients (shows_recipients), in header order.
  std::vector<Address> shown_addresses() const;
  // texts[i] is HTML (text/html); false when text_info does not describe it.
  bool text_is_html(std::size_t i) const;
  // texts[i] as plain text: HTML reduced by html_to_text (html_text.hpp), other types as they are.
  std::string plain_text(std::size_t i) const;
};

}  // namespace preflight::mail
