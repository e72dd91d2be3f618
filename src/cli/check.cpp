// `preflightctl check`: runs the milter's pipeline (parse, detectors, policy, action plan) on a
// message file and prints the verdict, the reasons with the facts behind them, and the header edits the
// milter would make. Exit 0 when the check ran, 1 when the policy or message could not be read, 64 on
// usage errors.
#include <nlohmann/json.hpp>

#include <ctime>
#include <filesystem>
#include <ostream>

#include "preflight/action/plan.hpp"
#include "preflight/cli/cli.hpp"
#include "preflight/context/store_context.hpp"
#include "preflight/daemon/config.hpp"
#include "preflight/engine/engine.hpp"
#include "preflight/mail/parse.hpp"
#include "preflight/policy/compile.hpp"
#include "preflight/util/read_file.hpp"

namespace preflight::cli {

namespace {

struct CheckArgs {
  std::string message_file, config = "/etc/preflight/preflight.yaml", state_dir;
  bool history = true;
  std::vector<std::string> policies;
  mail::Envelope envelope;
  bool json = false;
  milter::Settings milter;  // the budget and what incomplete facts lead to, as the daemon's config says
};

bool parse_args(const std::vector<std::string>& args, CheckArgs& a, std::ostream& err) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& s = args[i];
    bool has_value = i + 1 < args.size();
    if (s == "--json") a.json = true;
    else if (s == "--from" && has_value) a.envelope.sender = mail::parse_addr_spec(args[++i]);
    else if (s == "--rcpt" && has_value) a.envelope.recipients.push_back(mail::parse_addr_spec(args[++i]));
    else if (s == "--config" && has_value) a.config = args[++i];
    else if (s == "--policy" && has_value) a.policies.push_back(args[++i]);
    else if (s == "--no-history") a.history = false;
    else if (!s.empty() && s[0] != '-' && a.message_file.empty()) a.message_file = s;
    else return err << "preflightctl check: unexpected argument '" << s << "'\n", false;
  }
  if (a.message_file.empty() || a.envelope.recipients.empty()) {
    err << "usage: preflightctl check MESSAGE.eml --from ADDR --rcpt ADDR [--rcpt ADDR ...] "
           "[--config FILE | --policy FILE ...] [--no-history] [--json]\n";
    return false;
  }
  return true;
}

std::shared_ptr<const policy::Policy> load(CheckArgs& a, std::ostream& err) {
  if (a.policies.empty()) {
    auto cr = daemon::load_config(a.config);
    for (const auto& e : cr.errors) err << e.str() << "\n";
    if (!cr.errors.empty()) return nullptr;
    a.policies = cr.config.policies;
    a.state_dir = cr.config.state_dir;
    a.milter = cr.config.milter;
  }
  auto result = policy::compile_files(a.policies);
  for (const auto& e : result.errors) err << e.str() << "\n";
  return result.policy;
}

nlohmann::json fact_json(const detect::FactValue& v) {
  return std::visit([](const auto& x) { return nlohmann::json(x); }, v);
}

const char* edit_kind(action::HeaderEdit::Kind k) {
  using K = action::HeaderEdit::Kind;
  return k == K::Add ? "add" : k == K::Change ? "change" : "delete";
}

nlohmann::json to_json(const engine::Evaluation& ev, const action::Plan& plan) {
  nlohmann::json j;
  j["action"] = policy::action_name(ev.verdict.action);
  if (!ev.verdict.waiver.empty()) j["waiver"] = ev.verdict.waiver;
  j["reasons"] = nlohmann::json::array();
  for (const auto& r : ev.verdict.reasons) {
    nlohmann::json facts = nlohmann::json::object();
    for (const auto& [name, value] : r.facts) facts[name] = value;
    j["reasons"].push_back({{"rule", r.rule_id}, {"description", r.description},
                            {"action", policy::action_name(r.action)}, {"mode", policy::mode_name(r.mode)},
                            {"facts", facts}});
  }
  j["facts"] = nlohmann::json::object();
  for (const auto& [name, value] : ev.facts.all()) j["facts"][name] = fact_json(value);
  j["edits"] = nlohmann::json::array();
  for (const auto& e : plan.edits)
    j["edits"].push_back({{"op", edit_kind(e.kind)}, {"header", e.name}, {"index", e.index}, {"value", e.value}});
  if (plan.disposition == action::Disposition::Reject) j["reply"] = "550 5.7.1 " + plan.reply_text;
  if (!ev.failure.empty()) j["failure"] = ev.failure;
  return j;
}

void print_text(const engine::Evaluation& ev, const action::Plan& plan, std::ostream& out) {
  if (!ev.failure.empty()) out << "failure: " << ev.failure << " (the milter answers as milter.on_error says)\n";
  out << "action: " << policy::action_name(ev.verdict.action) << "\n";
  if (!ev.verdict.waiver.empty()) out << "waiver: " << ev.verdict.waiver << "\n";
  if (plan.disposition == action::Disposition::Reject) out << "reply: 550 5.7.1 " << plan.reply_text << "\n";
  out << "reasons:" << (ev.verdict.reasons.empty() ? " none\n" : "\n");
  for (const auto& r : ev.verdict.reasons) {
    out << "  - " << r.rule_id << " (" << policy::action_name(r.action) << ", " << policy::mode_name(r.mode) << ")";
    out << (r.description.empty() ? "" : ": " + r.description) << "\n";
    for (const auto& [name, value] : r.facts) out << "      " << name << " = " << value << "\n";
  }
  out << "edits:" << (plan.edits.empty() ? " none\n" : "\n");
  for (const auto& e : plan.edits)
    out << "  " << edit_kind(e.kind) << " " << e.name << (e.index ? "[" + std::to_string(e.index) + "]" : "")
        << (e.value.empty() ? "" : ": " + e.value) << "\n";
  out << "facts:\n";
  for (const auto& [name, value] : ev.facts.all()) out << "  " << name << " = " << detect::describe(value) << "\n";
}

}  // namespace

int check(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CheckArgs a;
  if (!parse_args(args, a, err)) return 64;
  auto pol = load(a, err);
  if (!pol) return 1;
  auto raw = util::read_file(a.message_file);
  if (!raw) return err << "preflightctl check: cannot read " << a.message_file << ": " << raw.error() << "\n", 1;
  util::Budget budget = util::Budget::for_message(a.milter.deadline_seconds, a.milter.budget_bytes);
  auto msg = mail::parse_message(*raw);
  if (!msg) return err << "preflightctl check: " << a.message_file << ": " << msg.error() << "\n", 1;
  // With --config, history and threads come from the daemon's store (read only); else nothing is known.
  std::unique_ptr<detect::Context> ctx = std::make_unique<detect::NoContext>();
  std::string db = a.state_dir + "/preflight.db";
  if (a.history && !a.state_dir.empty() && std::filesystem::exists(db)) {
    auto st = store::open_sqlite(db);
    if (!st) return err << "preflightctl check: " << st.error() << "\n", 1;
    ctx = std::make_unique<context::StoreContext>(*st, std::make_shared<context::DomainCache>(),
                                                  pol->organisation.split_window_seconds, std::time(nullptr));
  }
  budget.spend(raw->size());
  engine::Options options{&budget, a.milter.evaluate_exhausted, a.milter.evaluate_degraded};
  auto ev = engine::evaluate(*pol, a.envelope, *msg, *ctx, options);
  auto plan = action::plan(ev.verdict, *msg, pol->organisation);
  if (a.json) out << to_json(ev, plan).dump(2) << "\n";
  else print_text(ev, plan, out);
  return 0;
}

}  // namespace preflight::cli
