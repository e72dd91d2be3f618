// Who approves a held message, and how loaded each approver is; see queue.hpp.
#include <algorithm>

#include "preflight/mail/address.hpp"
#include "preflight/queue/queue.hpp"
#include "preflight/util/strings.hpp"

namespace preflight::queue {

namespace {
void add(std::vector<std::string>& out, const std::string& a) {
  if (!a.empty() && std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
}

const detect::DirectoryEntry* entry(const detect::Organisation& org, const std::string& address) {
  auto it = org.directory.find(mail::mailbox_key(address));
  return it == org.directory.end() ? nullptr : &it->second;
}

void add_role(std::vector<std::string>& out, const detect::Organisation& org, const std::string& name) {
  auto it = org.roles.find(util::to_lower(name));
  if (it != org.roles.end())
    for (const auto& r : it->second) add(out, mail::mailbox_key(r));
}

// Each approver's delegate (directory) is added: while someone is away, their delegate decides too. The
// sender is then taken out unless the rule says "self": nobody approves their own mail by accident.
void delegate_and_drop_sender(std::vector<std::string>& out, const detect::Organisation& org,
                              const std::string& from, bool self) {
  for (std::size_t i = 0, n = out.size(); i < n; ++i)
    if (const auto* e = entry(org, out[i])) add(out, mail::mailbox_key(e->delegate));
  if (!self) std::erase(out, from);
}
}  // namespace

std::vector<std::string> resolve_approvers(const policy::HoldSpec& spec, const std::string& sender,
                                           const detect::Organisation& org) {
  std::vector<std::string> out;
  std::string from = mail::mailbox_key(sender);
  bool self = std::find(spec.approvers.begin(), spec.approvers.end(), "self") != spec.approvers.end();
  for (const auto& a : spec.approvers) {
    if (a == "self") {
      add(out, from);
    } else if (a == "supervisor") {
      if (const auto* e = entry(org, from)) add(out, mail::mailbox_key(e->supervisor));
    } else if (util::istarts_with(a, "role:")) {
      add_role(out, org, a.substr(5));
    } else {
      add(out, mail::mailbox_key(a));
    }
  }
  delegate_and_drop_sender(out, org, from, self);
  if (out.empty() && !org.approver_fallback.empty()) {
    add_role(out, org, org.approver_fallback);
    delegate_and_drop_sender(out, org, from, self);
  }
  return out;
}

std::vector<std::string> deputies_of(const std::vector<std::string>& approvers, const detect::Organisation& org) {
  std::vector<std::string> out;
  for (const auto& a : approvers)
    if (const auto* e = entry(org, a))
      if (std::find(approvers.begin(), approvers.end(), e->deputy) == approvers.end()) add(out, e->deputy);
  return out;
}

util::Result<nlohmann::json> approver_load_json(store::Store& st, std::int64_t now, int days,
                                                const std::string& scope) {
  auto load = st.approver_load(now - std::int64_t{days} * 86400);
  if (!load) return util::Error{load.error()};
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& a : *load)
    if (scope.empty() || util::iequals(scope, a.approver))
      rows.push_back({{"approver", a.approver}, {"pending", a.pending}, {"decided", a.decided},
                      {"median_decision_seconds", a.median_decision_seconds}});
  return nlohmann::json{{"days", days}, {"approvers", rows}};
}

}  // namespace preflight::queue
