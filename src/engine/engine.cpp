// Runs every detector, then the policy; see engine.hpp.
#include "preflight/engine/engine.hpp"

#include "preflight/detect/attachments.hpp"
#include "preflight/detect/recipient_checks.hpp"
#include "preflight/detect/recipients.hpp"
#include "preflight/policy/fatigue.hpp"

namespace preflight::engine {

Evaluation evaluate(const policy::Policy& policy, const mail::Envelope& envelope, const mail::Message& message,
                    const detect::Context& context) {
  Evaluation e;
  const auto& org = policy.organisation;
  detect::sender_facts(envelope, org, e.facts);
  detect::recipient_facts(envelope, message, org, e.facts);
  detect::message_facts(message, e.facts);
  detect::history_facts(envelope, message, org, context, e.facts);
  detect::thread_facts(envelope, message, org, context, e.facts);
  detect::list_facts(envelope, message, org, context, e.facts);
  detect::attachment_facts(envelope, message, org, e.facts);
  e.verdict = policy::evaluate(policy, e.facts);
  policy::waive_approval(policy, e.facts, context, e.verdict);  // reads past approvals only for an approve
  return e;
}

}  // namespace preflight::engine
