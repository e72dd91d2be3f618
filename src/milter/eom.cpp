// End of message: parse once, evaluate, apply the plan, log one line. Internal to the milter module.
#include <libmilter/mfapi.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "preflight/action/plan.hpp"
#include "preflight/engine/engine.hpp"
#include "preflight/mail/parse.hpp"
#include "preflight/util/budget.hpp"
#include "preflight/util/strings.hpp"
#include "internal.hpp"

namespace preflight::milter {

namespace {

// Returns an empty string on success, else which call failed.
std::string apply_edits(SMFICTX* ctx, const std::vector<action::HeaderEdit>& edits) {
  using Kind = action::HeaderEdit::Kind;
  for (const auto& e : edits) {
    char* name = const_cast<char*>(e.name.c_str());
    char* value = const_cast<char*>(e.value.c_str());
    int rc = MI_SUCCESS;
    if (e.kind == Kind::Add) rc = smfi_addheader(ctx, name, value);
    if (e.kind == Kind::Change) rc = smfi_chgheader(ctx, name, e.index, value);
    if (e.kind == Kind::Delete) rc = smfi_chgheader(ctx, name, e.index, nullptr);
    if (rc != MI_SUCCESS) return "header edit of " + e.name + " failed";
  }
  return {};
}

// What inspection could not see, named for the operator: "incomplete: a.zip, b.7z (entries,method)".
void log_incomplete(const Transaction& t, const engine::Evaluation& ev) {
  const auto* flag = ev.facts.get("attachments.incomplete");
  if (!flag || !std::get<bool>(*flag)) return;
  auto list = [&](const char* f) {
    const auto* v = ev.facts.get(f);
    return v ? std::get<detect::StringList>(*v) : detect::StringList{};
  };
  const auto names = list("attachments.incomplete_names");
  spdlog::warn("qid={} incomplete: {} ({})", t.envelope.queue_id,
               names.empty() ? "-" : util::printable(util::join(names, ", ")),
               util::join(list("attachments.incomplete_reasons"), ","));
}

// One line per message for the operator; `ms` is preflight's own time at end of message.
void log_line(const Transaction& t, const engine::Evaluation& ev, const char* answer, const util::Budget& budget) {
  auto ms = std::chrono::duration<double, std::milli>(util::Budget::Clock::now() - budget.start()).count();
  count_message(ev, ms / 1000);
  auto number = [&](const char* f) {
    const auto* v = ev.facts.get(f);
    return v ? std::get<std::int64_t>(*v) : 0;
  };
  const auto& v = ev.verdict;
  std::string monitor;
  for (const auto& r : v.reasons)
    if (r.mode == policy::Mode::Monitor)
      monitor += (monitor.empty() ? "" : ",") + r.rule_id + "(" + policy::action_name(r.action) + ")";
  spdlog::info("qid={} from=<{}> rcpts={} internal={} external={} visible_external={} action={} rules={} "
               "monitor={} waived={} answer={} size={} ms={:.2f}",
               t.envelope.queue_id, util::printable(t.envelope.sender.addr()), number("recipients.total"),
               number("recipients.internal"), number("recipients.external"),
               number("recipients.visible_external"), policy::action_name(v.action),
               util::join(v.rule_ids(policy::Mode::Enforce), ","), monitor.empty() ? "-" : monitor,
               v.waiver.empty() ? "-" : "\"" + util::printable(v.waiver) + "\"", answer,
               t.raw.size(), ms);
}

// A verdict the mail must not leave without: held (hold, approve) or rewritten (To/Cc -> Bcc). Any failure
// to carry it out tempfails whatever milter.on_error says; tags and the verdict header alone do not bind.
bool binding(const engine::Evaluation& ev, const action::Plan& plan) {
  return plan.disposition == action::Disposition::Hold || ev.verdict.bcc;
}

sfsistat fail(SMFICTX* ctx, const engine::Evaluation& ev, const action::Plan& plan, const std::string& why) {
  if (binding(ev, plan)) return answer_verdict_error(ctx, why, policy::action_name(ev.verdict.action));
  return answer_error(ctx, why);
}

// Store first, answer second: DISCARD only after the hold hook has the message durably.
// Never past the deadline: the MTA may have stopped waiting, and a copy stored then is stored again on
// every retry of the client.
sfsistat hold(SMFICTX* ctx, Transaction& t, const engine::Evaluation& ev, const action::Plan& plan,
              const mail::Message& msg, const util::Budget& budget) {
  if (!hooks().hold) return fail(ctx, ev, plan, "a rule holds this mail but no queue is configured");
  if (budget.past_deadline())
    return fail(ctx, ev, plan, "the message's deadline passed before the hold (milter.deadline): not stored");
  auto id = hooks().hold({t.envelope, msg, t.raw, ev.verdict, ev.facts, plan, *t.policy, &budget});
  if (!id) return fail(ctx, ev, plan, "cannot hold message: " + id.error());
  log_line(t, ev, ("discard held=" + *id).c_str(), budget);
  return SMFIS_DISCARD;
}

// Carries out a verdict that is not a reject: hold it, or apply its edits and let it pass.
sfsistat carry_out(SMFICTX* ctx, Transaction& t, const engine::Evaluation& ev, const action::Plan& plan,
                   const mail::Message& msg, const util::Budget& budget) {
  if (plan.disposition == action::Disposition::Hold) return hold(ctx, t, ev, plan, msg, budget);
  if (std::string err = apply_edits(ctx, plan.edits); !err.empty()) return fail(ctx, ev, plan, err);
  if (hooks().delivered) hooks().delivered(t.envelope, msg, action::shown_to_cc(msg, plan.edits), *t.policy);
  log_line(t, ev, "continue", budget);
  return SMFIS_CONTINUE;
}

}  // namespace

sfsistat finish_message(SMFICTX* ctx, Transaction& t) {
  const Settings& set = settings();
  util::Budget budget = util::Budget::for_message(set.deadline_seconds, set.budget_bytes);
  t.envelope.queue_id = macro(ctx, "i");  // Postfix may send {i} late: read it here
  t.envelope.auth_user = macro(ctx, "{auth_authen}");
  // Failures before a verdict exists answer by milter.on_error (answer_error).
  if (!t.write_error.empty()) return answer_error(ctx, t.write_error);
  auto parsed = t.raw.spilled() ? mail::parse_message_fd(t.raw.fd()) : mail::parse_message(t.raw.memory());
  if (!parsed) return answer_error(ctx, "unparseable message: " + parsed.error());
  budget.spend(t.raw.size());
  for (const auto& p : parsed->problems) spdlog::warn("qid={} parse: {}", t.envelope.queue_id, p);
  detect::NoContext no_context;
  auto context = hooks().context ? hooks().context(*t.policy) : nullptr;
  engine::Options options{&budget, set.evaluate_exhausted, set.evaluate_degraded};
  engine::Evaluation ev = engine::evaluate(*t.policy, t.envelope, *parsed, context ? *context : no_context, options);
  // Incomplete facts (budget ran out, store or scan failed) are never judged unless configured so.
  if (!ev.failure.empty()) return answer_error(ctx, ev.failure);
  log_incomplete(t, ev);
  action::Plan plan = action::plan(ev.verdict, *parsed, t.policy->organisation);
  if (plan.disposition == action::Disposition::Reject) {
    std::string text = smtp_reply_text(plan.reply_text);
    smfi_setreply(ctx, const_cast<char*>("550"), const_cast<char*>("5.7.1"), text.data());
    log_line(t, ev, "reject", budget);
    return SMFIS_REJECT;
  }
  if (!binding(ev, plan)) return carry_out(ctx, t, ev, plan, *parsed, budget);
  // From here an exception would reach the callback's guard, which answers by on_error: catch it here.
  try {
    return carry_out(ctx, t, ev, plan, *parsed, budget);
  } catch (const std::exception& e) {
    return fail(ctx, ev, plan, e.what());
  } catch (...) {
    return fail(ctx, ev, plan, "unknown exception");
  }
}

}  // namespace preflight::milter
