// Checklist detectors over recipients, threads and partners (checklist items 3, 5–9, 11 and the split
// mass mailing). Pure functions of (envelope, message, organisation, read-only context); each adds its
// facts (see fact_catalogue()).
#pragma once
#include "preflight/detect/context.hpp"
#include "preflight/detect/facts.hpp"
#include "preflight/detect/organisation.hpp"
#include "preflight/mail/envelope.hpp"
#include "preflight/mail/message.hpp"

namespace preflight::detect {

// First-time addresses (per sender) and domains (organisation-wide), look-alike domains, typos of known
// addresses, and display names known at another company.
void history_facts(const mail::Envelope& env, const mail::Message& msg, const Organisation& org, const Context& ctx,
                   Facts& out);

// Reply / reply-all / forward from the subject and headers, and the thread-aware checks against the
// messages the reply refers to.
void thread_facts(const mail::Envelope& env, const mail::Message& msg, const Organisation& org, const Context& ctx,
                  Facts& out);

// Mailing-list and important recipients, company names that do not match the recipients' companies, and
// external addresses exposed by this sender across messages (split mass mailing).
void list_facts(const mail::Envelope& env, const mail::Message& msg, const Organisation& org, const Context& ctx,
                Facts& out);

// Reply / forward subject prefixes, as mailers write them (Re:, RE:, 返信:, Fwd:, FW:, 転送: …).
bool is_reply_subject(const std::string& subject);
bool is_forward_subject(const std::string& subject);

}  // namespace preflight::detect
