// Functions shared by the milter's source files (callbacks in milter.cpp, end of message in eom.cpp).
// Internal to the milter module.
#pragma once
#include <libmilter/mfapi.h>

#include <string>
#include <string_view>

#include "preflight/milter/milter.hpp"
#include "session.hpp"

namespace preflight::milter {

// The one place an error becomes an answer: tempfail (451 4.3.0) or, if configured, accept; logs a line.
sfsistat answer_error(SMFICTX* ctx, const std::string& why);
// Text safe for smfi_setreply: printable, '%' doubled, bounded length.
std::string smtp_reply_text(std::string_view text);
// The daemon's hooks given to run().
const Hooks& hooks();
// End of message: parse, evaluate, apply the plan, log.
sfsistat finish_message(SMFICTX* ctx, Transaction& t);

}  // namespace preflight::milter
