// The replay's report: per-rule tables, totals per final action, the mails two policies disagree on;
// see replay.hpp and docs/replay.md.
#include <nlohmann/json.hpp>

#include <ctime>
#include <map>
#include <utility>

#include "replay.hpp"

namespace preflight::cli::replay {

namespace {

constexpr policy::Action kActions[] = {policy::Action::Accept, policy::Action::Tag,     policy::Action::Bcc,
                                       policy::Action::Detach, policy::Action::Hold,    policy::Action::Approve,
                                       policy::Action::Reject};

struct RuleTally {
  std::string id;
  policy::Mode mode = policy::Mode::Enforce;
  policy::Action action = policy::Action::Accept;  // what the rule itself asks for
  std::size_t enforce = 0, monitor = 0;
  std::map<policy::Action, std::size_t> actions;  // final action of the mails it matched
  std::vector<const Record*> examples;
};

struct Tally {
  std::vector<RuleTally> rules;  // in policy order, rules that never matched included
  std::map<policy::Action, std::size_t> totals;
};

Tally tally(const Run& run, std::size_t p, std::size_t examples) {
  Tally t;
  std::map<std::string, std::size_t> index;
  for (const auto& r : run.policies[p]->rules) {
    index[r.id] = t.rules.size();
    t.rules.push_back({r.id, r.mode, r.action.type, 0, 0, {}, {}});
  }
  for (const auto& m : run.mails) {
    const Outcome& o = m.outcomes[p];
    ++t.totals[o.action];
    for (const auto& [id, mode] : o.rules) {
      auto& rt = t.rules[index.at(id)];
      ++(mode == policy::Mode::Monitor ? rt.monitor : rt.enforce);
      ++rt.actions[o.action];
      if (rt.examples.size() < examples) rt.examples.push_back(&m);
    }
  }
  return t;
}

std::string iso_time(const std::optional<std::int64_t>& t) {
  if (!t) return "";
  std::time_t tt = static_cast<std::time_t>(*t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string rule_list(const Outcome& o) {
  std::string s;
  for (const auto& [id, mode] : o.rules)
    s += (s.empty() ? "" : ", ") + id + (mode == policy::Mode::Monitor ? " (monitor)" : "");
  return s.empty() ? "none" : s;
}

std::vector<const Record*> differences(const Run& run) {
  std::vector<const Record*> out;
  if (run.policies.size() < 2) return out;
  for (const auto& m : run.mails)
    if (m.outcomes[0].action != m.outcomes[1].action) out.push_back(&m);
  return out;
}

void print_tally(const Tally& t, std::ostream& out) {
  out << "totals:";
  for (auto a : kActions) out << " " << policy::action_name(a) << " " << (t.totals.count(a) ? t.totals.at(a) : 0);
  out << "\nrules:\n";
  for (const auto& r : t.rules) {
    out << "  " << r.id << " (" << policy::mode_name(r.mode) << "): " << r.enforce << " enforced, " << r.monitor
        << " monitored";
    const char* sep = "; ";
    for (const auto& [a, n] : r.actions) out << std::exchange(sep, ", ") << policy::action_name(a) << " " << n;
    out << "\n";
    for (const auto* m : r.examples) out << "      " << m->name << "  " << m->subject << "\n";
  }
}

nlohmann::json tally_json(const Tally& t, nlohmann::json& totals) {
  nlohmann::json rules = nlohmann::json::object();
  for (auto a : kActions) totals[policy::action_name(a)] = t.totals.count(a) ? t.totals.at(a) : 0;
  for (const auto& r : t.rules) {
    nlohmann::json actions = nlohmann::json::object(), examples = nlohmann::json::array();
    for (const auto& [a, n] : r.actions) actions[policy::action_name(a)] = n;
    for (const auto* m : r.examples) examples.push_back({{"file", m->name}, {"subject", m->subject}});
    rules[r.id] = {{"mode", policy::mode_name(r.mode)}, {"action", policy::action_name(r.action)},
                   {"matched", r.enforce + r.monitor}, {"enforce", r.enforce},
                   {"monitor", r.monitor}, {"actions", actions}, {"examples", examples}};
  }
  return rules;
}

nlohmann::json ids(const Outcome& o) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& r : o.rules) a.push_back(r.first);
  return a;
}

// Each matching rule with the facts it saw, so a surprising match can be understood without a rerun.
nlohmann::json why(const Outcome& o) {
  nlohmann::json j = nlohmann::json::object();
  for (std::size_t i = 0; i < o.rules.size() && i < o.why.size(); ++i) j[o.rules[i].first] = o.why[i];
  return j;
}

nlohmann::json mail_json(const Record& m) {
  nlohmann::json j = {{"file", m.name}, {"from", m.from}, {"subject", m.subject},
                      {"action", policy::action_name(m.outcomes[0].action)}, {"rules", ids(m.outcomes[0])},
                      {"why", why(m.outcomes[0])}};
  j["time"] = m.time ? nlohmann::json(iso_time(m.time)) : nlohmann::json();
  if (m.outcomes.size() > 1) {
    j["candidate_action"] = policy::action_name(m.outcomes[1].action);
    j["candidate_rules"] = ids(m.outcomes[1]);
  }
  return j;
}

}  // namespace

void print_text(const Run& run, std::size_t examples, std::ostream& out) {
  out << "replayed " << run.mails.size() << " mails";
  if (!run.mails.empty() && run.mails.front().time)
    out << " from " << iso_time(run.mails.front().time) << " to " << iso_time(run.mails.back().time);
  out << "; " << run.problems.size() << " skipped as unreadable\n";
  if (run.inbound) out << "learned from " << run.inbound << " inbound mails (not judged)\n";
  if (run.undated) out << run.undated << " mails without a usable date were replayed last\n";
  if (run.undated_skipped) out << run.undated_skipped << " mails without a usable date were left out (date range)\n";
  if (run.out_of_range) out << run.out_of_range << " mails outside the date range were left out\n";
  for (const auto& p : run.problems) out << "  skipped " << p.file << ": " << p.error << "\n";
  for (std::size_t p = 0; p < run.policies.size(); ++p) {
    out << "\n== " << run.policy_names[p] << " policy (" << run.policies[p]->files.size() << " file(s):";
    for (const auto& f : run.policies[p]->files) out << " " << f;
    out << ")\n";
    print_tally(tally(run, p, examples), out);
  }
  if (run.policies.size() < 2) return;
  auto diff = differences(run);
  out << "\n== " << diff.size() << " mails with another action under the candidate policy\n";
  for (const auto* m : diff)
    out << m->name << ": " << policy::action_name(m->outcomes[0].action) << " -> "
        << policy::action_name(m->outcomes[1].action) << ", " << rule_list(m->outcomes[0]) << " -> "
        << rule_list(m->outcomes[1]) << "\n";
}

nlohmann::json to_json(const Run& run, std::size_t examples) {
  nlohmann::json j;
  j["mails"] = nlohmann::json::array();
  for (const auto& m : run.mails) j["mails"].push_back(mail_json(m));
  j["totals"] = nlohmann::json::object();
  j["rules"] = tally_json(tally(run, 0, examples), j["totals"]);
  j["errors"] = nlohmann::json::array();
  for (const auto& p : run.problems) j["errors"].push_back({{"file", p.file}, {"error", p.error}});
  j["undated"] = run.undated;
  j["inbound"] = run.inbound;
  j["undated_skipped"] = run.undated_skipped;
  j["out_of_range"] = run.out_of_range;
  if (run.policies.size() < 2) return j;
  j["candidate"] = {{"totals", nlohmann::json::object()}};
  j["candidate"]["rules"] = tally_json(tally(run, 1, examples), j["candidate"]["totals"]);
  j["diff"] = nlohmann::json::array();
  for (const auto* m : differences(run))
    j["diff"].push_back({{"file", m->name}, {"subject", m->subject},
                         {"old_action", policy::action_name(m->outcomes[0].action)},
                         {"new_action", policy::action_name(m->outcomes[1].action)},
                         {"old_rules", ids(m->outcomes[0])}, {"new_rules", ids(m->outcomes[1])}});
  return j;
}

}  // namespace preflight::cli::replay
