// Runs every detector, then the policy; see engine.hpp.
#include "preflight/engine/engine.hpp"

#include "preflight/detect/attachments.hpp"
#include "preflight/detect/recipient_checks.hpp"
#include "preflight/detect/recipients.hpp"
#include "preflight/policy/fatigue.hpp"
#include "preflight/util/strings.hpp"

namespace preflight::engine {

namespace {

std::string degraded_failure(const std::vector<std::string>& degraded) {
  return "context degraded: " + util::join(degraded, "; ");
}

// The facts saying whether the others are complete, and the failure the caller answers when the options
// do not ask for them to be evaluated. Returns how many failures the context had reported.
std::size_t completeness(const detect::Context& context, const Options& options, Evaluation& e) {
  auto failures = context.failures();
  const std::size_t n = failures.size();
  for (auto& f : failures) e.facts.degrade(std::move(f));
  e.degraded = e.facts.degraded();
  if (options.budget) e.exhausted = std::string(options.budget->exhausted());
  e.facts.set("context.degraded", !e.degraded.empty());
  e.facts.set("message.budget_exhausted", !e.exhausted.empty());
  if (!e.exhausted.empty() && !options.evaluate_exhausted) e.failure = "budget exhausted: " + e.exhausted;
  else if (!e.degraded.empty() && !options.evaluate_degraded) e.failure = degraded_failure(e.degraded);
  return n;
}

}  // namespace

Evaluation evaluate(const policy::Policy& policy, const mail::Envelope& envelope, const mail::Message& message,
                    const detect::Context& context, const Options& options) {
  Evaluation e;
  const auto& org = policy.organisation;
  detect::sender_facts(envelope, org, e.facts);
  detect::recipient_facts(envelope, message, org, e.facts);
  detect::message_facts(message, e.facts);
  detect::history_facts(envelope, message, org, context, e.facts);
  detect::thread_facts(envelope, message, org, context, e.facts);
  detect::list_facts(envelope, message, org, context, e.facts);
  detect::attachment_facts(envelope, message, org, e.facts, options.budget);
  const std::size_t seen = completeness(context, options, e);
  e.verdict = policy::evaluate(policy, e.facts);
  policy::waive_approval(policy, e.facts, context, e.verdict);  // reads past approvals only for an approve
  // Past approvals are read after the facts were judged; a failed read there (no waiver was granted, the
  // stricter outcome) is reported the same way.
  auto late = context.failures();
  if (late.size() > seen) {
    e.degraded.insert(e.degraded.end(), late.begin() + static_cast<std::ptrdiff_t>(seen), late.end());
    if (e.failure.empty() && !options.evaluate_degraded) e.failure = degraded_failure(e.degraded);
  }
  return e;
}

}  // namespace preflight::engine
