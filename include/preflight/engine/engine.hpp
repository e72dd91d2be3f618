// The pipeline shared by the milter and `preflightctl check`: detectors -> facts -> policy -> verdict, and
// approval fatigue (policy/fatigue.hpp) on that verdict.
// No I/O besides the Context, no MTA; the clock is read only through the message's budget. Safe to call
// from any thread with a pinned policy snapshot.
//
// Two ways the facts can be incomplete, each a fact and, unless the caller asks to evaluate it, a failure
// the caller answers like an internal error (the milter: milter.on_error, tempfail by default):
// - the message's budget (util::Budget: work time and bytes, shared by parsing, inspection, detection and
//   look-ups) ran out: `message.budget_exhausted`;
// - the context could not read the store, or the content scan failed (detect::Facts::degraded):
//   `context.degraded`. A rule never silently sees an empty history.
#pragma once
#include <string>
#include <vector>

#include "preflight/detect/context.hpp"
#include "preflight/detect/facts.hpp"
#include "preflight/mail/envelope.hpp"
#include "preflight/mail/message.hpp"
#include "preflight/policy/evaluate.hpp"
#include "preflight/policy/policy.hpp"
#include "preflight/util/budget.hpp"

namespace preflight::engine {

struct Options {
  util::Budget* budget = nullptr;   // the message's budget; null: unlimited
  bool evaluate_exhausted = false;  // true: a budget that ran out is only the fact message.budget_exhausted
  bool evaluate_degraded = false;   // true: a degraded context is only the fact context.degraded
};

struct Evaluation {
  detect::Facts facts;
  policy::Verdict verdict;
  std::string exhausted;              // "", or what ran out of the budget: "time", "bytes"
  std::vector<std::string> degraded;  // what could not be read or scanned ("history: disk I/O error")
  // Non-empty: the verdict rests on incomplete facts and the caller must not carry it out, but answer as
  // for an internal error. Says why ("budget exhausted: time", "context degraded: history: ...").
  std::string failure;
};

// `context` gives history, partners and threads; detect::NoContext when there is no store.
Evaluation evaluate(const policy::Policy& policy, const mail::Envelope& envelope, const mail::Message& message,
                    const detect::Context& context, const Options& options = {});

}  // namespace preflight::engine
