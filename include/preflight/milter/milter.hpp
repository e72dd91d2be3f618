// The libmilter adapter: the only code that includes <libmilter/mfapi.h>. One Session per SMTP
// connection (smfi_setpriv, never thread-locals: Debian's libmilter runs one connection's callbacks on
// different worker threads), one Transaction per message. At end of message it parses once, asks the
// engine for a verdict with the policy snapshot pinned at MAIL FROM, and applies the action plan.
// Any exception or parse failure before a verdict answers the configured error action (tempfail by
// default): the MTA keeps the mail and retries; nothing is lost. A failure to carry out a verdict that
// holds, approves or rewrites to Bcc always tempfails, whatever the configuration: that mail must not leave
// unchanged.
//
// Learn mode: a connection whose `{daemon_name}` macro (set by the MTA's configuration, e.g. Postfix's
// `-o milter_macro_daemon_name=inbound` on the inbound smtpd; no SMTP client can choose it) is one of
// Settings::learn_daemons carries mail that came in. Such mail is never evaluated, held, rejected,
// tempfailed or edited: its headers are handed to Hooks::received and the answer is always accept; any
// error is one warning line and accept.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "preflight/action/detach.hpp"
#include "preflight/action/plan.hpp"
#include "preflight/detect/context.hpp"
#include "preflight/mail/envelope.hpp"
#include "preflight/mail/parse.hpp"
#include "preflight/policy/evaluate.hpp"
#include "preflight/policy/policy.hpp"
#include "preflight/util/result.hpp"
#include "preflight/util/spill_buffer.hpp"

namespace preflight::milter {

struct Settings {
  std::string socket = "inet:8891@127.0.0.1";  // libmilter connection spec
  int timeout_seconds = 30;                    // I/O timeout towards the MTA
  bool accept_on_error = false;                // false: tempfail (4xx) on internal errors; true: accept
                                               // unchecked, but only before a hold/approve/Bcc verdict
  std::size_t memory_limit = 1024 * 1024;      // message bytes kept in memory before spilling
  std::string spill_dir = "/tmp";              // where spill files are created (and unlinked)
  mail::ParseLimits parse_limits;
  std::vector<std::string> learn_daemons;      // {daemon_name} values whose mail is learned, never checked
  // The message's budget (util::Budget), from end of message: the answer is due after deadline_seconds
  // (keep it below Postfix's milter_content_timeout, 300 s by default); parsing, inspection, detection and
  // look-ups get the first three quarters of it and budget_bytes (raw and decompressed bytes). A hold is
  // never stored past the deadline: the MTA may have given up and would deliver it again.
  double deadline_seconds = 60;
  std::uint64_t budget_bytes = 512ull * 1024 * 1024;
  bool evaluate_exhausted = false;  // milter.on_budget_exhausted: evaluate (else answered by on_error)
  bool evaluate_degraded = false;   // milter.on_context_degraded: evaluate (else answered by on_error)
};

// Returns the policy snapshot a new transaction should use (hot-swapped on reload).
using PolicySource = std::function<std::shared_ptr<const policy::Policy>()>;

// What the milter asks of the rest of the daemon. Both may be empty (no store: hold answers tempfail).
struct Hooks {
  // Stores a held message durably (spool file fsync'ed, queue row committed) and returns its id; the
  // milter tells the MTA to discard its copy only after this returned an id.
  std::function<util::Result<std::string>(const action::HoldRequest&)> hold;
  // Stores the attachments of a mail the plan detaches (files fsync'ed, rows committed) and returns the new
  // body with its header edits; the milter replaces the body only after this returned. Empty: a detach
  // verdict tempfails.
  std::function<util::Result<action::BodyRewrite>(const action::DetachRequest&)> detach;
  // The MTA accepted the mail for delivery: learn from it (history, thread, exposure). The address list is
  // what To and Cc showed after the plan's header edits (action::shown_to_cc), the message is as written.
  std::function<void(const mail::Envelope&, const mail::Message&, const std::vector<mail::Address>& shown,
                     const policy::Policy&)>
      delivered;
  // Mail that came in through a learn-mode connection, headers only: learn from it (threads,
  // correspondents, names). Returns `key=value` words for the log line. Empty: nothing is learned.
  std::function<std::string(const mail::Envelope&, const mail::Message&, const policy::Policy&)> received;
  // The detectors' read-only context for one message (history, partners, threads); NoContext if empty.
  std::function<std::unique_ptr<detect::Context>(const policy::Policy&)> context;
  // The socket is open and the MTA can connect (systemd's READY=1).
  std::function<void()> listening;
};

// Registers the filter and serves until stop(); returns 0 on a clean stop. Call once per process.
int run(const Settings& settings, PolicySource policy, Hooks hooks);
// Asks run() to return (safe from a signal-handling thread).
void stop();

}  // namespace preflight::milter
