// Learning from mail that came in (the milter's learn mode, milter.learn_daemons): the thread record and
// the external correspondents of the internal recipients, so that replies and first-time checks on mail
// that later leaves count both directions. Never decides anything about the inbound mail itself, and
// never fails it: a store error is one warning line and the mail is simply not learned.
//
// What an inbound mail teaches, and what it never teaches:
//  - the external addresses of From, To and Cc become correspondents of every internal envelope
//    recipient (Store::record_received); their display names fill names not known yet;
//  - the thread record (Message-ID -> author, From/To/Cc, internal envelope recipients);
//  - nothing from a null-sender mail (bounces, auto-replies), nothing from a mail whose envelope sender
//    or From claims an internal address (a forgery, or internal mail on the wrong listener), nothing
//    from a mail without internal recipients (relayed), and never Reply-To (a reply address a sender
//    chooses is how mail is diverted to an outsider).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "preflight/detect/organisation.hpp"
#include "preflight/mail/envelope.hpp"
#include "preflight/mail/message.hpp"
#include "preflight/store/store.hpp"

namespace preflight::context {

struct Received {
  std::size_t correspondents = 0;  // external addresses learned
  std::size_t recipients = 0;      // internal envelope recipients they became known to
  bool thread = false;             // the thread record was written
  std::size_t relayed = 0;         // external envelope recipients (not learned; the mail was relayed)
  std::string skipped;             // why nothing was learned: null-sender, internal-sender, no-internal-recipient
};

// A mail came in through a learn-mode listener and Postfix is accepting it: learn from it.
Received record_received(store::Store& st, const mail::Envelope& env, const mail::Message& msg,
                         const detect::Organisation& org, std::int64_t now);

}  // namespace preflight::context
