// Detach: the attachments of a message taken out of its MIME tree, and the tree rebuilt with a notice in
// their place. The mail's own parts only (an attached message leaves as one .eml file, with whatever it
// holds); body texts and inline images of a multipart/related (parts with a Content-ID and no attachment
// disposition) stay. What remains keeps its bytes; the result is a new multipart/mixed: the kept parts
// (the children of a multipart/mixed top level, else the top-level entity itself), then a
// multipart/alternative notice (text/plain and text/html, UTF-8, base64). CRLF line ends throughout.
// Thread-safe (mail::init() first, as for parsing).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "preflight/util/result.hpp"

namespace preflight::mail {

struct DetachedFile {
  std::string filename;      // UTF-8, decoded (RFC 2231, encoded-words); "attachment-N" when it had none
  std::string content_type;  // lower-case "type/subtype"
  std::string data;          // decoded bytes (an attached message: the message as written)
};

struct DetachedMail {
  std::vector<DetachedFile> files;   // in document order; empty: nothing to detach
  std::vector<std::string> kept;     // the entities that stay, each with its own MIME headers (CRLF)
  // The message's top-level Content-Transfer-Encoding and Content-Disposition as written ("" absent), and
  // whether it had a Content-Type and MIME-Version header: what the header edits must change.
  std::string top_encoding, top_disposition;
  bool top_content_type = false, mime_version = false;
};

util::Result<DetachedMail> detach_attachments(std::string_view raw);

struct RebuiltBody {
  std::string content_type;  // the new top-level Content-Type value (multipart/mixed with its boundary)
  std::string body;          // the new body, CRLF line ends
};

// The kept parts and the notice (UTF-8 text and HTML) as one multipart/mixed body.
RebuiltBody rebuild_with_notice(const DetachedMail& mail, std::string_view text, std::string_view html);

}  // namespace preflight::mail
