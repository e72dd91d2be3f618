// Approval fatigue after evaluation; see fatigue.hpp.
#include "preflight/policy/fatigue.hpp"

#include <algorithm>
#include <set>
#include <vector>

#include "preflight/detect/organisation.hpp"
#include "preflight/util/strings.hpp"

namespace preflight::policy {

namespace {

const Rule* rule_by_id(const Policy& policy, const std::string& id) {
  for (const auto& r : policy.rules)
    if (r.id == id) return &r;
  return nullptr;
}

std::string text_fact(const detect::Facts& facts, const char* name) {
  const detect::FactValue* v = facts.get(name);
  return v && std::holds_alternative<std::string>(*v) ? std::get<std::string>(*v) : std::string();
}

// The organisational domains of the external envelope recipients, each once, lower-case.
std::set<std::string> external_domains(const detect::Facts& facts) {
  std::set<std::string> out;
  const detect::FactValue* v = facts.get("recipients.external_addresses");
  if (!v || !std::holds_alternative<detect::StringList>(*v)) return out;
  for (const auto& a : std::get<detect::StringList>(*v)) {
    std::size_t at = a.rfind('@');
    if (at != std::string::npos && at + 1 < a.size())
      out.insert(detect::organisational_domain(util::to_lower(a.substr(at + 1))));
  }
  return out;
}

}  // namespace

std::string duration_text(std::int64_t seconds) {
  if (seconds > 0 && seconds % 86400 == 0) return std::to_string(seconds / 86400) + "d";
  if (seconds > 0 && seconds % 3600 == 0) return std::to_string(seconds / 3600) + "h";
  if (seconds > 0 && seconds % 60 == 0) return std::to_string(seconds / 60) + "m";
  return std::to_string(seconds) + "s";
}

bool waive_approval(const Policy& policy, const detect::Facts& facts, const detect::Context& context,
                    Verdict& verdict) {
  const ApprovalFatigue& f = policy.approval_fatigue;
  if (f.after <= 0 || verdict.action != Action::Approve) return false;
  std::string sender = util::to_lower(text_fact(facts, "sender.address"));
  std::set<std::string> domains = external_domains(facts);
  if (sender.empty() || domains.empty()) return false;
  std::vector<std::string> because;
  for (const auto& reason : verdict.reasons) {
    if (reason.mode != Mode::Enforce || reason.action != Action::Approve) continue;
    const Rule* rule = rule_by_id(policy, reason.rule_id);
    if (!rule || !rule->action.hold.waivable) return false;
    for (const auto& domain : domains) {
      std::int64_t n = context.approvals(sender, domain, rule->id, f.window_seconds);
      if (n < f.after) return false;
      because.push_back(sender + "->" + domain + " approved " + std::to_string(n) + " times in " +
                        duration_text(f.window_seconds) + " for rule " + rule->id);
    }
  }
  if (because.empty()) return false;
  verdict.action = Action::Hold;
  verdict.hold.delay_seconds = std::max(verdict.hold.delay_seconds, f.delay_seconds);
  verdict.hold.approvers.clear();
  verdict.hold.allow_bcc = false;
  verdict.waiver = "approval waived: " + util::join(because, "; ");
  return true;
}

}  // namespace preflight::policy
