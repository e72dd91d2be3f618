// Facts -> Verdict; see evaluate.hpp.
#include "preflight/policy/evaluate.hpp"

#include <algorithm>

#include "preflight/util/strings.hpp"

namespace preflight::policy {

namespace {

using detect::FactValue;
using detect::StringList;

bool contains_text(const std::string& haystack, const std::string& needle) {
  return util::to_lower(haystack).find(util::to_lower(needle)) != std::string::npos;
}

bool compare_leaf(const Condition& c, const FactValue& v) {
  if (auto b = std::get_if<bool>(&v)) {
    if (c.op == Op::Truthy) return *b;
    bool lit = std::get<bool>(c.literal);
    return c.op == Op::Eq ? *b == lit : *b != lit;
  }
  if (auto n = std::get_if<std::int64_t>(&v)) {
    std::int64_t lit = std::get<std::int64_t>(c.literal);
    switch (c.op) {
      case Op::Eq: return *n == lit;
      case Op::Ne: return *n != lit;
      case Op::Lt: return *n < lit;
      case Op::Le: return *n <= lit;
      case Op::Gt: return *n > lit;
      case Op::Ge: return *n >= lit;
      default: return false;
    }
  }
  const std::string& lit = std::get<std::string>(c.literal);
  if (auto s = std::get_if<std::string>(&v)) {
    switch (c.op) {
      case Op::Eq: return util::iequals(*s, lit);
      case Op::Ne: return !util::iequals(*s, lit);
      case Op::Contains: return contains_text(*s, lit);
      case Op::Matches: return detect::glob_match(lit, *s);
      default: return false;
    }
  }
  const auto& list = std::get<StringList>(v);
  return std::any_of(list.begin(), list.end(), [&](const std::string& item) {
    return c.op == Op::Contains ? util::iequals(item, lit) : detect::glob_match(lit, item);
  });
}

void collect_facts(const Condition& c, const detect::Facts& facts,
                   std::vector<std::pair<std::string, std::string>>& out) {
  if (c.kind == Condition::Kind::Compare) {
    for (const auto& [name, _] : out)
      if (name == c.fact) return;
    const FactValue* v = facts.get(c.fact);
    out.emplace_back(c.fact, v ? detect::describe(*v) : "(absent)");
    return;
  }
  for (const auto& child : c.children) collect_facts(child, facts, out);
}

bool in_scope(const SenderScope& scope, const detect::Facts& facts) {
  const FactValue* sender = facts.get("sender.address");
  const FactValue* groups = facts.get("sender.groups");
  std::string addr = sender ? std::get<std::string>(*sender) : "";
  for (const auto& p : scope.senders)
    if (detect::glob_match(p, addr)) return true;
  if (groups)
    for (const auto& g : std::get<StringList>(*groups))
      if (std::find(scope.groups.begin(), scope.groups.end(), g) != scope.groups.end()) return true;
  return false;
}

bool matches(const Rule& r, const detect::Facts& facts) {
  if (!r.applies_to.empty() && !in_scope(r.applies_to, facts)) return false;
  if (!r.except_senders.empty() && in_scope(r.except_senders, facts)) return false;
  if (r.except_when && holds(*r.except_when, facts)) return false;
  return !r.when || holds(*r.when, facts);
}

// Delay comes only from hold rules; approvers, expiry, escalation and the approver's Bcc choice only from
// approve rules, so the unused defaults of one kind never overwrite the other's settings. `first` is true
// for the first approve rule that matched.
void merge_hold(Action type, const HoldSpec& h, bool first, HoldSpec& into) {
  into.bcc = into.bcc || h.bcc;
  into.detach = into.detach || h.detach;
  if (type == Action::Hold) {
    into.delay_seconds = std::max(into.delay_seconds, h.delay_seconds);
    return;
  }
  for (const auto& a : h.approvers)
    if (std::find(into.approvers.begin(), into.approvers.end(), a) == into.approvers.end()) into.approvers.push_back(a);
  into.expire_seconds = first ? h.expire_seconds : std::min(into.expire_seconds, h.expire_seconds);
  into.release_on_expiry = first ? h.release_on_expiry : into.release_on_expiry && h.release_on_expiry;
  if (h.escalate_seconds > 0 && (into.escalate_seconds == 0 || h.escalate_seconds < into.escalate_seconds))
    into.escalate_seconds = h.escalate_seconds;
  into.allow_bcc = into.allow_bcc || h.allow_bcc;  // any approval rule may offer the approver the choice
  if (h.allow_bcc && h.allow_bcc_scope == BccScope::All) into.allow_bcc_scope = BccScope::All;
}

void apply(const Rule& r, Verdict& v, bool& first_approve) {
  if (r.action.type > v.action) v.action = r.action.type;
  switch (r.action.type) {
    case Action::Tag:
      v.tags.push_back(r.action.tag);
      if (v.subject_prefix.empty()) v.subject_prefix = r.action.subject_prefix;
      break;
    case Action::Bcc:
      v.bcc = true;
      if (r.action.scope == BccScope::All) v.bcc_scope = BccScope::All;
      break;
    case Action::Detach:
      v.detach = true;
      break;
    case Action::Hold:
    case Action::Approve:
      if (r.action.hold.detach) v.detach = true;
      merge_hold(r.action.type, r.action.hold, first_approve, v.hold);
      if (r.action.type == Action::Approve) first_approve = false;
      if (r.action.hold.bcc) {
        v.bcc = true;
        if (r.action.scope == BccScope::All) v.bcc_scope = BccScope::All;
      }
      break;
    case Action::Reject:
      if (v.reject_text.empty()) v.reject_text = r.action.reject_text;
      break;
    case Action::Accept: break;
  }
}

}  // namespace

const char* action_name(Action a) {
  switch (a) {
    case Action::Accept: return "accept";
    case Action::Tag: return "tag";
    case Action::Bcc: return "bcc";
    case Action::Detach: return "detach";
    case Action::Hold: return "hold";
    case Action::Approve: return "approve";
    case Action::Reject: return "reject";
  }
  return "?";
}

const char* mode_name(Mode m) { return m == Mode::Enforce ? "enforce" : "monitor"; }

bool holds(const Condition& c, const detect::Facts& facts) {
  switch (c.kind) {
    case Condition::Kind::Compare: {
      const FactValue* v = facts.get(c.fact);
      return v && compare_leaf(c, *v);
    }
    case Condition::Kind::All:
      return std::all_of(c.children.begin(), c.children.end(), [&](const Condition& x) { return holds(x, facts); });
    case Condition::Kind::Any:
      return std::any_of(c.children.begin(), c.children.end(), [&](const Condition& x) { return holds(x, facts); });
    case Condition::Kind::Not:
      return !holds(c.children.front(), facts);
  }
  return false;
}

std::vector<std::string> Verdict::rule_ids(Mode mode) const {
  std::vector<std::string> ids;
  for (const auto& r : reasons)
    if (r.mode == mode) ids.push_back(r.rule_id);
  return ids;
}

Verdict evaluate(const Policy& policy, const detect::Facts& facts) {
  Verdict v;
  bool first_approve = true;
  for (const auto& r : policy.rules) {
    if (!matches(r, facts)) continue;
    Reason reason{r.id, r.description, r.action.type, r.mode, {}};
    if (r.when) collect_facts(*r.when, facts, reason.facts);
    v.reasons.push_back(std::move(reason));
    if (r.mode == Mode::Enforce) apply(r, v, first_approve);
  }
  return v;
}

}  // namespace preflight::policy
