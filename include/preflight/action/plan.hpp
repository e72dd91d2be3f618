// Verdict -> what to tell the MTA: header edits (tags, the To/Cc -> Bcc rewrite, the verdict header,
// removal of forged X-Preflight-* headers) and the final disposition. Pure data; the milter applies it.
//
// The Bcc rewrite never adds a Bcc header (Postfix would deliver it to everyone): it removes addresses
// from To/Cc (and Resent-To/Resent-Cc) and adds `To: undisclosed-recipients:;` when no To remains. The
// envelope is untouched, so every recipient still gets the mail. Header indexes are 1-based per name, as
// libmilter expects. Changes come first, then deletions in descending index order, then additions, so no
// edit shifts another in Postfix (which appends an added field) nor in Sendmail (which inserts it before
// the first field of the same name). Every edit's value is ASCII: non-ASCII text (tags, the subject
// prefix, a raw 8-bit Subject it prefixes) is RFC 2047-encoded.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "preflight/detect/facts.hpp"
#include "preflight/detect/organisation.hpp"
#include "preflight/mail/envelope.hpp"
#include "preflight/mail/message.hpp"
#include "preflight/policy/evaluate.hpp"
#include "preflight/util/budget.hpp"
#include "preflight/util/spill_buffer.hpp"

namespace preflight::action {

struct HeaderEdit {
  enum class Kind { Add, Change, Delete } kind;
  std::string name;
  int index = 0;  // Change/Delete only
  std::string value;
};

// Continue: apply the edits now. Hold: store the message (hold or approve) and apply the edits when it
// is released. Reject: 550 5.7.1 with reply_text.
enum class Disposition { Continue, Hold, Reject };

struct Plan {
  Disposition disposition = Disposition::Continue;
  std::vector<HeaderEdit> edits;
  std::string reply_text;  // for Reject: shown to the sender after "550 5.7.1"
  bool detach = false;     // attachments leave as download links: the body is rewritten (action/detach.hpp)
};

inline constexpr const char* kVerdictHeader = "X-Preflight-Verdict";
inline constexpr const char* kTagHeader = "X-Preflight-Tag";

Plan plan(const policy::Verdict& verdict, const mail::Message& message, const detect::Organisation& org);

// The value of the verdict header: "accept", or "bcc; rules=a,b".
std::string verdict_value(const policy::Verdict& verdict);

// Edits as JSON (stored with a held message) and back; nullopt for text that is not such JSON.
std::string edits_to_json(const std::vector<HeaderEdit>& edits);
std::optional<std::vector<HeaderEdit>> edits_from_json(const std::string& json);

// A message the plan holds, with everything needed to keep it: handed by the milter to the queue.
struct HoldRequest {
  const mail::Envelope& envelope;
  const mail::Message& message;
  const util::SpillBuffer& raw;  // the bytes as the MTA passed them
  const policy::Verdict& verdict;
  const detect::Facts& facts;  // everything the detectors found (recipient marks for the web queue)
  const Plan& plan;
  const policy::Policy& policy;
  const util::Budget* budget = nullptr;  // the message's budget: nothing is stored past its deadline
};

// The To and Cc (and Resent-To, Resent-Cc) addresses `message` shows after these edits (the Bcc rewrite
// removes them, "approve as Bcc" too): what its recipients see as it leaves. Edits of other headers are
// ignored. This is what context::record_sent learns exposure and thread membership from.
std::vector<mail::Address> shown_to_cc(const mail::Message& message, const std::vector<HeaderEdit>& edits);

// Applies edits to the header block of a raw message (what the MTA would do for a milter), leaving the
// body byte-for-byte as it is. Indexes refer to the headers as they were before any edit.
std::string apply_edits(std::string_view raw, const std::vector<HeaderEdit>& edits);

}  // namespace preflight::action
