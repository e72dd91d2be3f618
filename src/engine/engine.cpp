// Runs every detector, then the policy; see engine.hpp.
#include "preflight/engine/engine.hpp"

#include "preflight/detect/recipients.hpp"

namespace preflight::engine {

Evaluation evaluate(const policy::Policy& policy, const mail::Envelope& envelope, const mail::Message& message) {
  Evaluation e;
  const auto& org = policy.organisation;
  detect::sender_facts(envelope, org, e.facts);
  detect::recipient_facts(envelope, message, org, e.facts);
  detect::message_facts(message, e.facts);
  e.verdict = policy::evaluate(policy, e.facts);
  return e;
}

}  // namespace preflight::engine
