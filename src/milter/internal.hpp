// Functions shared by the milter's source files (callbacks in milter.cpp, end of message in eom.cpp).
// Internal to the milter module.
#pragma once
#include <libmilter/mfapi.h>

#include <string>
#include <string_view>

#include "preflight/engine/engine.hpp"
#include "preflight/milter/milter.hpp"
#include "session.hpp"

namespace preflight::milter {

// The one place an error before a verdict becomes an answer: tempfail (451 4.3.0) or, with
// milter.on_error: accept, accept unchecked; logs one warn line.
sfsistat answer_error(SMFICTX* ctx, const std::string& why);
// An error once a verdict holds, approves or rewrites (Bcc) the mail: always tempfail (451 4.3.0),
// whatever on_error says, so the mail never leaves unchanged; logs one warn line naming the action.
sfsistat answer_verdict_error(SMFICTX* ctx, const std::string& why, std::string_view action);
// Text safe for smfi_setreply: printable, '%' doubled, bounded length.
std::string smtp_reply_text(std::string_view text);
// The daemon's hooks and settings given to run().
const Hooks& hooks();
const Settings& settings();
// End of message: parse, evaluate, apply the plan, log.
sfsistat finish_message(SMFICTX* ctx, Transaction& t);
// End of message of a learn-mode connection: parse the headers, hand them to Hooks::received, log one
// line, accept. Never evaluates, edits, holds, rejects or tempfails.
sfsistat learn_message(SMFICTX* ctx, Transaction& t);
// Adds an answered message to the metrics: its action and mode, the rules it matched, its end-of-message
// time, what inspection could not see (message_metrics.cpp).
void count_message(const engine::Evaluation& ev, double seconds);
// A message answered by an error (answer_error, answer_verdict_error).
void count_failure();
// The MTA macro's value, or "".
std::string macro(SMFICTX* ctx, const char* name);

}  // namespace preflight::milter
