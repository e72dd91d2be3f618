// Recipient facts: counts of envelope and header recipients, internal vs external, external addresses
// visible to each other in To/Cc, distinct external organisations, and "a few external among many
// internal". A pure function of the envelope, the message and the organisation.
#pragma once
#include "preflight/detect/facts.hpp"
#include "preflight/detect/organisation.hpp"
#include "preflight/mail/envelope.hpp"
#include "preflight/mail/message.hpp"

namespace preflight::detect {

void recipient_facts(const mail::Envelope& env, const mail::Message& msg, const Organisation& org,
                     Facts& out);

// Sender facts: address, internal or not, the groups it belongs to, authenticated user.
void sender_facts(const mail::Envelope& env, const Organisation& org, Facts& out);

// Message facts: size, subject, attachment count and names, cut headers.
void message_facts(const mail::Message& msg, Facts& out);

}  // namespace preflight::detect
