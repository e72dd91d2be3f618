// The pipeline shared by the milter and `preflightctl check`: detectors -> facts -> policy -> verdict, and
// approval fatigue (policy/fatigue.hpp) on that verdict.
// Pure: no I/O, no MTA, no clock; safe to call from any thread with a pinned policy snapshot.
#pragma once
#include "preflight/detect/context.hpp"
#include "preflight/detect/facts.hpp"
#include "preflight/mail/envelope.hpp"
#include "preflight/mail/message.hpp"
#include "preflight/policy/evaluate.hpp"
#include "preflight/policy/policy.hpp"

namespace preflight::engine {

struct Evaluation {
  detect::Facts facts;
  policy::Verdict verdict;
};

// `context` gives history, partners and threads; detect::NoContext when there is no store.
Evaluation evaluate(const policy::Policy& policy, const mail::Envelope& envelope, const mail::Message& message,
                    const detect::Context& context);

}  // namespace preflight::engine
