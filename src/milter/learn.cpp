// End of message of a learn-mode connection (mail that came in): parse the headers, learn, accept.
// Internal to the milter module. Nothing here answers anything but accept; see milter.hpp.
#include <libmilter/mfapi.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "preflight/mail/parse.hpp"
#include "preflight/util/strings.hpp"
#include "internal.hpp"

namespace preflight::milter {

sfsistat learn_message(SMFICTX* ctx, Transaction& t) {
  auto start = std::chrono::steady_clock::now();
  t.envelope.queue_id = macro(ctx, "i");
  // Errors go through answer_error, which accepts on a learn-mode connection.
  if (!t.failure.empty()) return answer_error(ctx, t.failure);
  auto parsed = t.raw.spilled() ? mail::parse_message_fd(t.raw.fd()) : mail::parse_message(t.raw.memory());
  if (!parsed) return answer_error(ctx, "unparseable headers: " + parsed.error());
  std::string learned = hooks().received ? hooks().received(t.envelope, *parsed, *t.policy) : "learned=off";
  auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  spdlog::info("qid={} mode=learn from=<{}> recipients.total={} {} answer=accept ms={:.2f}", t.envelope.queue_id,
               util::printable(t.envelope.sender.addr()), t.envelope.recipients.size(), learned, ms);
  return SMFIS_ACCEPT;
}

}  // namespace preflight::milter
