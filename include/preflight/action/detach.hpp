// Detach: what the milter needs to send a mail's attachments as download links. The queue stores the
// files and writes the notice (queue/detach.hpp); this is the data that passes between it and the milter,
// and the header edits that go with a rebuilt body.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "preflight/action/plan.hpp"
#include "preflight/mail/detach.hpp"

namespace preflight::action {

struct DetachRequest {
  const mail::Envelope& envelope;
  const mail::Message& message;
  const util::SpillBuffer& raw;  // the bytes as the MTA passed them
  const policy::Policy& policy;
  const util::Budget* budget = nullptr;  // nothing is stored past the message's deadline
  bool whole_message = false;            // also return the whole rewritten message (to hold it)
};

// The new body and the header edits that go with it; files == 0 (no edits, no body) when nothing was
// detached: no attachment, or every external recipient is in detach.except_domains.
struct BodyRewrite {
  std::size_t files = 0;
  std::string batch;       // the stored files' batch id (log and audit)
  std::string skipped;     // why nothing was detached ("no attachments", "except_domains")
  std::vector<HeaderEdit> edits;
  std::string body;        // CRLF line ends
  std::string refusal;     // a size limit refuses the mail: the 550 text; nothing was stored
  std::string message;     // with DetachRequest::whole_message: the raw message as it will leave
};

// Content-Type becomes the rebuilt body's (changed, or added when the mail had none), MIME-Version is added
// when missing, a top-level Content-Disposition goes, and a top-level Content-Transfer-Encoding that a
// multipart may not carry (base64, quoted-printable) goes too.
std::vector<HeaderEdit> detach_edits(const mail::DetachedMail& mail, const std::string& content_type);

// `raw` with the edits applied to its header block and its body replaced by `body`.
std::string rewritten_message(std::string_view raw, const std::vector<HeaderEdit>& edits, std::string_view body);

}  // namespace preflight::action
