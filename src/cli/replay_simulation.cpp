// One policy over past mail in simulated time; see replay.hpp.
#include "preflight/action/plan.hpp"
#include "preflight/context/received.hpp"
#include "preflight/engine/engine.hpp"
#include "history_import.hpp"
#include "replay.hpp"

namespace preflight::cli::replay {

namespace {

// The one place where the replay learns from a mail as the gateway would once it had left: accepted,
// tagged and Bcc-rewritten mail as the milter learns it at end of message, held mail (hold, approve) as
// the queue learns it on release with the planned edits, at the mail's own time rather than after the hold
// delay, and rejected mail not at all. Both learn from the mail as written and what To/Cc showed after
// the edits.
void learn_as_left(store::Store& st, const policy::Policy& pol, const mail::Envelope& env, const mail::Message& msg,
                   const action::Plan& plan, std::int64_t now) {
  if (plan.disposition == action::Disposition::Reject) return;
  context::record_sent(st, env, msg, action::shown_to_cc(msg, plan.edits), pol.organisation, now);
}

}  // namespace

Simulation::Simulation(std::shared_ptr<const policy::Policy> policy, std::shared_ptr<store::Store> store)
    : policy_(std::move(policy)),
      store_(std::move(store)),
      domains_(std::make_shared<context::DomainCache>()),
      addresses_(std::make_shared<context::KnownAddresses>()) {}

util::Result<std::unique_ptr<Simulation>> Simulation::open(std::shared_ptr<const policy::Policy> policy,
                                                           const Seed& seed) {
  auto st = store::open_scratch_sqlite(seed.store_file);
  if (!st) return util::Error{st.error()};
  if (!seed.log_files.empty()) {
    auto imported = import_postfix_logs(**st, seed.log_files);
    if (!imported.error.empty()) return util::Error{imported.error};
  }
  return std::unique_ptr<Simulation>(new Simulation(std::move(policy), std::move(*st)));
}

Outcome Simulation::replay(const mail::Envelope& env, const mail::Message& msg, std::int64_t now) {
  context::StoreContext ctx(store_, domains_, policy_->organisation.split_window_seconds, now, addresses_);
  auto ev = engine::evaluate(*policy_, env, msg, ctx);
  auto plan = action::plan(ev.verdict, msg, policy_->organisation);
  learn_as_left(*store_, *policy_, env, msg, plan, now);
  Outcome out;
  out.action = ev.verdict.action;
  for (const auto& r : ev.verdict.reasons) {
    out.rules.emplace_back(r.rule_id, r.mode);
    std::string why;
    for (const auto& [name, value] : r.facts) why += (why.empty() ? "" : "; ") + name + " = " + value;
    out.why.push_back(std::move(why));
  }
  return out;
}

void Simulation::learn_inbound(const mail::Envelope& env, const mail::Message& msg, std::int64_t now) {
  context::record_received(*store_, env, msg, policy_->organisation, now);
}

}  // namespace preflight::cli::replay
