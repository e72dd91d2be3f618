// Recipient facts: counts of envelope and header recipients, internal vs external, external addresses
// visible to each other in To/Cc, distinct external organisations, and "a few external among many
// internal". A pure function of the envelope, the message and the organisation.
#pragma once
#include <cstdint>
#include <vector>

#include "preflight/detect/facts.hpp"
#include "preflight/detect/organisation.hpp"
#include "preflight/mail/envelope.hpp"
#include "preflight/mail/message.hpp"

namespace preflight::detect {

void recipient_facts(const mail::Envelope& env, const mail::Message& msg, const Organisation& org,
                     Facts& out);

// How many external addresses a mail exposes: those among `shown` (its To/Cc addresses) that at least
// one OTHER external envelope recipient sees. A lone external recipient in To is exposed to nobody; one
// in To with other external recipients in Bcc is exposed to them. Each address counts once.
std::int64_t exposed_external(const std::vector<mail::Address>& shown, const std::vector<mail::Address>& recipients,
                              const Organisation& org);
// The same for the mail as written (its To and Cc headers before any edit): recipients.exposed_external.
std::int64_t exposed_external(const mail::Envelope& env, const mail::Message& msg, const Organisation& org);

// Sender facts: address, internal or not, the groups it belongs to, authenticated user.
void sender_facts(const mail::Envelope& env, const Organisation& org, Facts& out);

// Message facts: size, subject, attachment count and names, cut headers.
void message_facts(const mail::Message& msg, Facts& out);

}  // namespace preflight::detect
