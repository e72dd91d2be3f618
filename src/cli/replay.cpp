// `preflightctl replay SOURCE... [--config FILE] [--policy FILE[,FILE...]]...`: the milter's pipeline over
// past mail, in the order it was sent, each mail judged at its own time against a scratch history that
// learns as if the mail had left. Exit 0 when the replay ran (unreadable mails are reported and skipped),
// 1 when a configuration, policy, envelope file or seed could not be read, 64 on usage errors.
#include <fstream>
#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>
#include <ostream>

#include <sys/resource.h>

#include "preflight/cli/cli.hpp"
#include "preflight/daemon/config.hpp"
#include "preflight/mail/date.hpp"
#include "preflight/mail/parse.hpp"
#include "preflight/policy/compile.hpp"
#include "preflight/util/strings.hpp"
#include "replay.hpp"

namespace preflight::cli {

namespace {

const char* kUsage =
    "usage: preflightctl replay SOURCE... [--config FILE] [--policy FILE[,FILE...]] [--policy FILE[,FILE...]]\n"
    "           [--envelopes FILE ...] [--history-log FILE ...] [--seed-store] [--from-date D] [--to-date D]\n"
    "           [--json] [--examples N]\n"
    "  SOURCE: mbox files, Maildir folders, directories of .eml (recursively), .eml files\n"
    "  --envelopes: JSON Lines {file, from, rcpts, time, direction}; \"direction\": \"in\" is learned from, not judged\n"
    "  the current policy is the config's (--config, or the default config when no --policy is given),\n"
    "  else the first --policy; a further --policy is the candidate, replayed beside it\n";

struct ReplayArgs {
  std::vector<std::string> sources, policies, history_logs;
  std::string config = "/etc/preflight/preflight.yaml", from_date, to_date;
  std::vector<std::string> envelopes;
  bool config_given = false, seed_store = false, json = false;
  std::size_t examples = 3;
};

bool parse_args(const std::vector<std::string>& args, ReplayArgs& a, std::ostream& err) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& s = args[i];
    bool v = i + 1 < args.size();
    if (s == "--json") a.json = true;
    else if (s == "--seed-store") a.seed_store = true;
    else if (s == "--config" && v) a.config = args[++i], a.config_given = true;
    else if (s == "--policy" && v) a.policies.push_back(args[++i]);
    else if (s == "--envelopes" && v) a.envelopes.push_back(args[++i]);
    else if (s == "--history-log" && v) a.history_logs.push_back(args[++i]);
    else if (s == "--from-date" && v) a.from_date = args[++i];
    else if (s == "--to-date" && v) a.to_date = args[++i];
    else if (s == "--examples" && v && !args[i + 1].empty() && args[i + 1].find_first_not_of("0123456789") == std::string::npos)
      a.examples = std::stoul(args[++i]);
    else if (!s.empty() && s[0] != '-') a.sources.push_back(s);
    else return err << "preflightctl replay: unexpected argument '" << s << "'\n" << kUsage, false;
  }
  std::size_t policies = a.policies.size() + (a.config_given || a.policies.empty() ? 1 : 0);
  std::string why = a.sources.empty() == a.envelopes.empty() ? "give SOURCE... or --envelopes FILE, not both"
                    : policies > 2                         ? "at most two policies: current and candidate"
                                                           : "";
  if (!why.empty()) err << "preflightctl replay: " << why << "\n" << kUsage;
  return why.empty();
}

// A --from-date/--to-date bound: ISO 8601, local time when it names no zone; a bare date ends a day later.
std::optional<std::int64_t> bound(const std::string& text, bool end) {
  auto utc = mail::parse_iso8601(text);
  if (!utc) return std::nullopt;
  std::time_t t = static_cast<std::time_t>(*utc);
  std::tm tm{};
  localtime_r(&t, &tm);
  auto local = mail::parse_iso8601(text, tm.tm_gmtoff);
  return *local + (end ? (text.size() == 10 ? 86400 : 1) : 0);
}

struct Loaded {
  std::vector<std::shared_ptr<const policy::Policy>> policies;
  std::string store_file;  // the live store, for --seed-store
};

std::shared_ptr<const policy::Policy> compile(const std::vector<std::string>& files, std::ostream& err) {
  auto result = policy::compile_files(files);
  for (const auto& e : result.errors) err << e.str() << "\n";
  return result.errors.empty() ? result.policy : nullptr;
}

bool load_policies(const ReplayArgs& a, Loaded& l, std::ostream& err) {
  bool config_policy = a.config_given || a.policies.empty();
  if (config_policy || a.seed_store) {
    auto cr = daemon::load_config(a.config);
    for (const auto& e : cr.errors) err << e.str() << "\n";
    if (!cr.errors.empty()) return false;
    l.store_file = cr.config.state_dir + "/preflight.db";
    if (config_policy) l.policies.push_back(compile(cr.config.policies, err));
  }
  for (const auto& p : a.policies) l.policies.push_back(compile(util::split(p, ','), err));
  for (const auto& p : l.policies)
    if (!p) return false;
  return true;
}

// User CPU seconds of this process so far.
double user_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec) + static_cast<double>(u.ru_utime.tv_usec) / 1e6;
}

// Progress on standard error, at most every five seconds; the last line also gives the user CPU time.
class Progress {
 public:
  Progress(std::size_t total, std::ostream& err) : total_(total), err_(err) {}
  void tick(std::size_t done) {
    if (done % 500 != 0) return;
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::seconds(5)) return;
    last_ = now;
    err_ << "replay: " << done << "/" << total_ << " mails, " << static_cast<long>(rate(done)) << " mails/s\n";
  }
  void done(std::size_t n) {
    double cpu = user_cpu_seconds() - cpu_start_;
    err_ << "replay: " << n << " mails in " << seconds() << " s, " << static_cast<long>(rate(n)) << " mails/s; user CPU "
         << cpu << " s, " << static_cast<long>(n / std::max(cpu, 1e-6)) << " mails per CPU second\n";
  }

 private:
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  double rate(std::size_t n) const { return n / std::max(seconds(), 1e-6); }
  std::size_t total_;
  std::ostream& err_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now(), last_ = start_;
  double cpu_start_ = user_cpu_seconds();
};

// Leaves out the mails outside the date range (and, when there is one, the undated mails).
std::vector<replay::Item> in_range(std::vector<replay::Item> items, std::optional<std::int64_t> from,
                                   std::optional<std::int64_t> to, replay::Run& run) {
  if (!from && !to) return items;
  std::vector<replay::Item> kept;
  for (auto& it : items) {
    if (!it.time) ++run.undated_skipped;
    else if ((from && *it.time < *from) || (to && *it.time >= *to)) ++run.out_of_range;
    else kept.push_back(std::move(it));
  }
  return kept;
}

void replay_one(const replay::Item& it, std::int64_t now, std::vector<std::unique_ptr<replay::Simulation>>& sims,
                replay::Run& run) {
  auto raw = replay::load(it);
  if (!raw) return run.problems.push_back({it.name, raw.error()});
  auto msg = mail::parse_message(*raw);
  if (!msg) return run.problems.push_back({it.name, "unparseable: " + msg.error()});
  mail::Envelope env = it.envelope ? *it.envelope : replay::envelope_from_headers(*msg);
  if (env.recipients.empty()) return run.problems.push_back({it.name, "no recipients"});
  if (it.inbound) {
    for (auto& s : sims) s->learn_inbound(env, *msg, now);
    return void(++run.inbound);
  }
  replay::Record r{it.name, msg->subject, env.sender.addr(), it.time, {}};
  for (auto& s : sims) r.outcomes.push_back(s->replay(env, *msg, now));
  if (!it.time) ++run.undated;
  run.mails.push_back(std::move(r));
}

}  // namespace

int replay_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  ReplayArgs a;
  if (!parse_args(args, a, err)) return 64;
  auto from = a.from_date.empty() ? std::nullopt : bound(a.from_date, false);
  auto to = a.to_date.empty() ? std::nullopt : bound(a.to_date, true);
  if ((!a.from_date.empty() && !from) || (!a.to_date.empty() && !to))
    return err << "preflightctl replay: dates are YYYY-MM-DD or ISO 8601 timestamps\n", 64;
  Loaded l;
  if (!load_policies(a, l, err)) return 1;
  replay::Run run;
  run.policies = l.policies;
  run.policy_names = {"current", "candidate"};
  std::vector<std::unique_ptr<replay::Simulation>> sims;
  replay::Simulation::Seed seed{a.seed_store ? l.store_file : "", a.history_logs};
  auto seeding = std::chrono::steady_clock::now();
  double seeding_cpu = user_cpu_seconds();
  for (const auto& p : l.policies) {
    auto sim = replay::Simulation::open(p, seed);
    if (!sim) return err << "preflightctl replay: " << sim.error() << "\n", 1;
    sims.push_back(std::move(*sim));
  }
  if (!seed.store_file.empty() || !seed.log_files.empty())
    err << "replay: scratch history seeded in "
        << std::chrono::duration<double>(std::chrono::steady_clock::now() - seeding).count() << " s; user CPU "
        << user_cpu_seconds() - seeding_cpu << " s\n";
  for (const auto& f : a.envelopes)
    if (!std::ifstream(f)) return err << "preflightctl replay: cannot read " << f << "\n", 1;
  auto scan = a.envelopes.empty() ? replay::scan_sources(a.sources) : replay::scan_envelopes(a.envelopes);
  run.problems = std::move(scan.problems);
  replay::order_by_time(scan.items);
  auto items = in_range(std::move(scan.items), from, to, run);
  Progress progress(items.size(), err);
  std::int64_t clock = std::time(nullptr);
  for (const auto& it : items)
    if (it.time) clock = *it.time;  // undated mail is judged at the time of the last dated one
  for (std::size_t i = 0; i < items.size(); ++i) {
    replay_one(items[i], items[i].time.value_or(clock), sims, run);
    progress.tick(i + 1);
  }
  progress.done(items.size());
  if (a.json) out << replay::to_json(run, a.examples).dump(2) << "\n";
  else replay::print_text(run, a.examples, out);
  return 0;
}

}  // namespace preflight::cli
