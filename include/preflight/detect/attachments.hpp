// Attachment and content facts (checklist items 12, 13, 15, 16 and the macro/executable checks): every
// attachment is inspected (inspect::inspect, bounded), and the subject, body texts, attachment names and
// attachment texts are scanned for personal and confidential data with the policy's compiled scanner.
// Pure function of (message, organisation); inspection also stops when the message's budget runs out.
// A failed content scan is reported with Facts::degrade.
#pragma once
#include "preflight/detect/facts.hpp"
#include "preflight/detect/organisation.hpp"
#include "preflight/mail/envelope.hpp"
#include "preflight/mail/message.hpp"
#include "preflight/util/budget.hpp"

namespace preflight::detect {

// `budget`: the message's budget (null: only inspect's own limits apply).
void attachment_facts(const mail::Envelope& env, const mail::Message& msg, const Organisation& org, Facts& out,
                      util::Budget* budget = nullptr);

// A line that gives a password (パスワード: …, PW: …, Password …): the PPAP pattern (exposed for tests).
bool has_password_line(const std::string& text);

}  // namespace preflight::detect
