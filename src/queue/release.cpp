// Releasing one held message, recipient by recipient; see queue.hpp.
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "preflight/queue/queue.hpp"
#include "preflight/util/metrics.hpp"
#include "preflight/util/strings.hpp"

namespace preflight::queue {

namespace {

using store::State;

const char* outcome_name(RecipientOutcome o) {
  switch (o) {
    case RecipientOutcome::Sent: return "sent";
    case RecipientOutcome::Failed: return "failed";
    case RecipientOutcome::Deferred: return "deferred";
  }
  return "deferred";
}

std::string outcome(const nlohmann::json& delivery, const std::string& address) {
  auto it = delivery.find(address);
  return it != delivery.end() && it->is_object() ? it->value("outcome", "deferred") : "deferred";
}

std::vector<std::string> string_list(const nlohmann::json& j) {
  std::vector<std::string> out;
  if (j.is_array())
    for (const auto& v : j)
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

// The envelope of this attempt: the recipients neither sent nor failed yet, with the ESMTP parameters the
// original transaction gave (details "esmtp": {"mail": [...], "rcpt": [[...], ...]} parallel to recipients).
SmtpEnvelope envelope_for(const store::HeldMessage& m, const nlohmann::json& delivery) {
  auto esmtp = details_of(m).value("esmtp", nlohmann::json::object());
  if (!esmtp.is_object()) esmtp = nlohmann::json::object();
  SmtpEnvelope env{m.sender, string_list(esmtp.value("mail", nlohmann::json::array())), {}};
  auto rcpt = esmtp.value("rcpt", nlohmann::json::array());
  for (std::size_t i = 0; i < m.recipients.size(); ++i)
    if (outcome(delivery, m.recipients[i]) == "deferred")
      env.recipients.push_back({m.recipients[i], rcpt.is_array() && i < rcpt.size() ? string_list(rcpt[i]) : std::vector<std::string>{}});
  return env;
}

struct Tally {
  std::vector<std::string> sent, failed, deferred;  // addresses
  std::vector<std::string> failures;                // "address: reply" of the failed ones
};

Tally tally(const store::HeldMessage& m, const nlohmann::json& delivery) {
  Tally t;
  for (const auto& r : m.recipients) {
    std::string o = outcome(delivery, r);
    (o == "sent" ? t.sent : o == "failed" ? t.failed : t.deferred).push_back(r);
    if (o == "failed") t.failures.push_back(r + ": " + delivery[r].value("reply", ""));
  }
  return t;
}

store::AuditEntry release_audit(const std::string& id, std::int64_t now, const std::string& action,
                                const std::string& comment) {
  return {id, now, "scheduler", "localhost", action, "", "", comment};
}

std::string summary(const Tally& t, std::size_t total) {
  std::string s = "sent to " + std::to_string(t.sent.size()) + " of " + std::to_string(total);
  if (!t.failures.empty()) s += "; not delivered: " + util::join(t.failures, "; ");
  return s;
}

}  // namespace

nlohmann::json delivery_of(const store::HeldMessage& m) {
  auto j = nlohmann::json::parse(m.delivery_json, nullptr, false);
  return j.is_object() ? j : nlohmann::json::object();
}

bool Queue::release_one(const store::HeldMessage& m) {
  auto raw = spool_.load(m.id);
  auto edits = action::edits_from_json(m.edits_json);
  std::string error = !raw ? raw.error() : !edits ? "stored header edits are unreadable" : "";
  nlohmann::json delivery = delivery_of(m);
  std::int64_t now = clock_();
  if (error.empty()) {
    SmtpEnvelope env = envelope_for(m, delivery);
    std::string message = env.recipients.empty() ? "" : action::apply_edits(*raw, *edits);
    for (const auto& r : env.recipients.empty() ? std::vector<RecipientResult>{}
                                                : smtp_deliver(settings_.reinject, env, message)) {
      delivery[r.address] = {{"outcome", outcome_name(r.outcome)}, {"reply", r.reply}, {"at", now}};
      if (r.outcome == RecipientOutcome::Deferred && error.empty()) error = r.address + ": " + r.reply;
    }
  }
  Tally t = tally(m, delivery);
  util::metrics::count("preflight_release_attempts_total");
  if (!error.empty() || !t.failures.empty()) util::metrics::count("preflight_release_failures_total");
  int attempt = m.release_attempts + 1;  // the lease counted this attempt after reading the row
  bool out_of_attempts = settings_.max_release_attempts > 0 && attempt >= settings_.max_release_attempts;
  bool out_of_time = settings_.max_release_seconds > 0 && now - m.decided_at >= settings_.max_release_seconds;
  if (!t.deferred.empty() && !out_of_attempts && !out_of_time) {
    spdlog::warn("held={} release attempt {} left {} recipient(s) for later: {}", m.id, attempt, t.deferred.size(),
                 error);
    // Unrecorded progress means the accepted recipients are sent again on the next attempt: a duplicate,
    // never a loss.
    if (auto noted = store_->note_release_progress(
            m.id, delivery.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), error);
        !noted)
      spdlog::error("held={} release progress not recorded: {}", m.id, noted.error());
    return false;
  }
  std::string why = out_of_attempts ? "gave up after " + std::to_string(attempt) + " attempt(s)"
                                    : "gave up after " + std::to_string(now - m.decided_at) + " s";
  for (const auto& r : t.deferred)
    delivery[r] = {{"outcome", "failed"}, {"reply", why + ": " + (error.empty() ? "not tried" : error)}, {"at", now}};
  finish_release(m, delivery, !t.deferred.empty(), now);
  return !t.sent.empty();
}

// Every recipient has its outcome: released when any got the mail and the release did not give up, failed
// otherwise; the sender (and the admin address when it gave up, or nobody got it) is told who did not.
void Queue::finish_release(const store::HeldMessage& m, const nlohmann::json& delivery, bool gave_up,
                           std::int64_t now) {
  Tally t = tally(m, delivery);
  std::string text = summary(t, m.recipients.size());
  if (auto noted = store_->note_release_progress(
          m.id, delivery.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
          t.failures.empty() ? "" : util::join(t.failures, "; "));
      !noted)
    spdlog::error("held={} delivery outcome not recorded: {}", m.id, noted.error());
  bool failed = gave_up || t.sent.empty();
  State from = m.state == State::Expired ? State::Expired : State::Approved;
  State to = failed ? State::Failed : State::Released;
  auto marked = store_->transition(m.id, from, to, release_audit(m.id, now, failed ? "fail" : "release", text));
  if (!marked || !*marked) {
    spdlog::error("held={} delivery finished ({}) but it is not marked {} ({})", m.id, text, store::state_name(to),
                  marked ? "its state changed" : marked.error());
    return;
  }
  if (!t.sent.empty()) {
    store::HeldMessage sent = m;
    sent.recipients = t.sent;
    if (auto msg = spool_.load(m.id); msg)
      if (auto edits = action::edits_from_json(m.edits_json)) learn(sent, *msg, *edits, now);
  }
  if (failed) spdlog::warn("held={} {}: {}", m.id, store::state_name(to), text);
  else spdlog::info("held={} {}: {}", m.id, store::state_name(to), text);
  if (t.failures.empty()) return;
  std::vector<std::string> to_tell = {m.sender};
  if (failed && !settings_.admin_address.empty()) to_tell.push_back(settings_.admin_address);
  for (const auto& who : to_tell) {
    NoticeInput in = notice_input(m, NoticeKind::DeliveryFailed, who, "");
    in.undelivered = t.failures;
    in.released = !t.sent.empty();
    enqueue(in);
  }
}

}  // namespace preflight::queue
