// End of message: parse once, evaluate, apply the plan, log one line. Internal to the milter module.
#include <libmilter/mfapi.h>
#include <spdlog/spdlog.h>

#include <algorithm>
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
  spdlog::info("qid={} from=<{}> recipients.total={} recipients.internal={} recipients.external={} "
               "recipients.visible_external={} action={} rules={} "
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
  return plan.disposition == action::Disposition::Hold || ev.verdict.bcc || plan.detach;
}

sfsistat fail(SMFICTX* ctx, const engine::Evaluation& ev, const action::Plan& plan, const std::string& why) {
  if (binding(ev, plan)) return answer_verdict_error(ctx, why, policy::action_name(ev.verdict.action));
  return answer_error(ctx, why);
}

// Store first, answer second: DISCARD only after the hold hook has the message durably.
// Never past the deadline: the MTA may have stopped waiting, and a copy stored then is stored again on
// every retry of the client.
sfsistat hold(SMFICTX* ctx, Transaction& t, const engine::Evaluation& ev, const action::Plan& plan,
              const mail::Message& msg, const util::Budget& budget, const util::SpillBuffer& raw) {
  if (!hooks().hold) return fail(ctx, ev, plan, "a rule holds this mail but no queue is configured");
  if (budget.past_deadline())
    return fail(ctx, ev, plan, "the message's deadline passed before the hold (milter.deadline): not stored");
  auto id = hooks().hold({t.envelope, msg, raw, ev.verdict, ev.facts, plan, *t.policy, &budget});
  if (!id) return fail(ctx, ev, plan, "cannot hold message: " + id.error());
  log_line(t, ev, ("discard held=" + *id).c_str(), budget);
  return SMFIS_DISCARD;
}

// The new body, in chunks libmilter accepts (it sends at most 64 KiB per message to the MTA).
bool replace_body(SMFICTX* ctx, const std::string& body) {
  constexpr std::size_t kChunk = 65535;
  for (std::size_t at = 0; at < body.size(); at += kChunk) {
    auto* p = reinterpret_cast<unsigned char*>(const_cast<char*>(body.data() + at));
    if (smfi_replacebody(ctx, p, static_cast<int>(std::min(kChunk, body.size() - at))) != MI_SUCCESS) return false;
  }
  return true;
}

// Detach: the hook stores the attachments first; then the body and its headers are replaced.
struct Detached {
  std::string answer;   // for the log line: "continue detached=BATCH/N" or "continue detach-skipped=WHY"
  std::string error;    // a failure: the mail must not leave unchanged
  std::string refusal;  // a size limit refuses the mail: the 550 text
};

// With `held`, the rewritten message is put there for the hold instead of replacing the MTA's copy.
Detached detach(SMFICTX* ctx, Transaction& t, const mail::Message& msg, const util::Budget& budget,
                util::SpillBuffer* held = nullptr) {
  if (!hooks().detach) return {{}, "a rule detaches attachments but no detach store is configured", {}};
  auto r = hooks().detach({t.envelope, msg, t.raw, *t.policy, &budget, held != nullptr});
  if (!r) return {{}, "cannot detach attachments: " + r.error(), {}};
  if (!r->refusal.empty()) return {{}, {}, r->refusal};
  if (r->files == 0) return {"continue detach-skipped=" + (r->skipped.empty() ? std::string("-") : r->skipped), {}, {}};
  if (held) {
    if (std::string err = held->append(r->message); !err.empty()) return {{}, err, {}};
    return {"detached=" + r->batch + "/" + std::to_string(r->files), {}, {}};
  }
  if (std::string err = apply_edits(ctx, r->edits); !err.empty()) return {{}, err, {}};
  if (!replace_body(ctx, r->body)) return {{}, "body replacement failed", {}};
  return {"continue detached=" + r->batch + "/" + std::to_string(r->files), {}, {}};
}

sfsistat reject(SMFICTX* ctx, Transaction& t, const engine::Evaluation& ev, const std::string& reply,
                const util::Budget& budget) {
  std::string text = smtp_reply_text(reply);
  smfi_setreply(ctx, const_cast<char*>("550"), const_cast<char*>("5.7.1"), text.data());
  log_line(t, ev, "reject", budget);
  return SMFIS_REJECT;
}

// Carries out a verdict that is not a reject: hold it, or apply its edits and let it pass.
sfsistat carry_out(SMFICTX* ctx, Transaction& t, const engine::Evaluation& ev, const action::Plan& plan,
                   const mail::Message& msg, const util::Budget& budget) {
  if (plan.disposition == action::Disposition::Hold && !plan.detach) return hold(ctx, t, ev, plan, msg, budget, t.raw);
  if (plan.disposition == action::Disposition::Hold) {  // detach, then hold the mail as it will leave
    util::SpillBuffer rewritten(settings().memory_limit, settings().spill_dir);
    Detached d = detach(ctx, t, msg, budget, &rewritten);
    if (!d.refusal.empty()) return reject(ctx, t, ev, d.refusal, budget);
    if (!d.error.empty()) return fail(ctx, ev, plan, d.error);
    return hold(ctx, t, ev, plan, msg, budget, rewritten.size() > 0 ? rewritten : t.raw);
  }
  std::string answer = "continue";
  if (plan.detach) {
    Detached d = detach(ctx, t, msg, budget);
    if (!d.refusal.empty()) return reject(ctx, t, ev, d.refusal, budget);
    if (!d.error.empty()) return fail(ctx, ev, plan, d.error);
    answer = d.answer;
  }
  if (std::string err = apply_edits(ctx, plan.edits); !err.empty()) return fail(ctx, ev, plan, err);
  if (hooks().delivered) hooks().delivered(t.envelope, msg, action::shown_to_cc(msg, plan.edits), *t.policy);
  log_line(t, ev, answer.c_str(), budget);
  return SMFIS_CONTINUE;
}

}  // namespace

sfsistat finish_message(SMFICTX* ctx, Transaction& t) {
  const Settings& set = settings();
  util::Budget budget = util::Budget::for_message(set.deadline_seconds, set.budget_bytes);
  t.envelope.queue_id = macro(ctx, "i");  // Postfix may send {i} late: read it here
  t.envelope.auth_user = macro(ctx, "{auth_authen}");
  // Failures before a verdict exists answer by milter.on_error (answer_error).
  if (!t.failure.empty()) return answer_error(ctx, t.failure);
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
  if (plan.disposition == action::Disposition::Reject) return reject(ctx, t, ev, plan.reply_text, budget);
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
