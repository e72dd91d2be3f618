// `preflightctl queue ...`: the held-mail queue from the shell, on the same store the daemon uses (safe
// while it runs: SQLite serialises writers, and every decision is a conditional state change).
//   list [--state S] [--approver ADDR] [--limit N] [--offset N] (a page, oldest first, with "rows A-B of N")
//   show ID   approve|reject|cancel ID [--comment T]   release ID
//   approve ID --bcc (deliver with To/Cc moved to Bcc, when the policy offered that choice)
//   purge [--older-than DAYS] [--records] (--records: their audit rows and notices too)
//   approvers [--approver ADDR] (pending now, decisions in 30 days)
// Options everywhere: --config FILE, --json. Exit 0 on success, 1 on failure, 64 on usage errors.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <iomanip>
#include <ostream>

#include "preflight/cli/cli.hpp"
#include "preflight/daemon/config.hpp"
#include "preflight/queue/queue.hpp"

namespace preflight::cli {

namespace {

using nlohmann::json;

struct QueueArgs {
  std::string command, id, config = "/etc/preflight/preflight.yaml", comment, approver;
  std::optional<store::State> state;
  int older_than_days = 30;
  int limit = 1000, offset = 0;  // list: one page, oldest first
  bool json = false;
  bool bcc = false;
  bool records = false;  // purge: audit rows and notices of the purged messages too
};

std::int64_t now() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::string actor() {
  const char* u = std::getenv("SUDO_USER");
  if (!u) u = std::getenv("USER");
  return std::string("cli:") + (u ? u : "root");
}

// A whole number for --limit / --offset: digits only, bounded, so that a typo is refused, not read as 0.
bool whole_number(const std::string& option, const std::string& text, int max, int& out, std::ostream& err) {
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(text) > max)
    return err << "preflightctl queue: " << option << " takes a whole number up to " << max << ", not '" << text
               << "'\n",
           false;
  out = std::stoi(text);
  return true;
}

bool parse(const std::vector<std::string>& args, QueueArgs& a, std::ostream& err) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& s = args[i];
    bool v = i + 1 < args.size();
    if (s == "--json") a.json = true;
    else if (s == "--bcc") a.bcc = true;
    else if (s == "--records") a.records = true;
    else if (s == "--config" && v) a.config = args[++i];
    else if (s == "--comment" && v) a.comment = args[++i];
    else if (s == "--approver" && v) a.approver = args[++i];
    else if (s == "--limit" && v) {
      if (!whole_number(s, args[++i], 100000, a.limit, err)) return false;
      if (a.limit == 0) return err << "preflightctl queue: --limit must be at least 1\n", false;
    } else if (s == "--offset" && v) {
      if (!whole_number(s, args[++i], 1000000000, a.offset, err)) return false;
    } else if (s == "--older-than" && v) {
      // A typo must not turn into "purge everything": only a whole number of days is accepted.
      const std::string& d = args[++i];
      if (d.empty() || d.size() > 6 || d.find_first_not_of("0123456789") != std::string::npos)
        return err << "preflightctl queue purge: --older-than takes a whole number of days, not '" << d << "'\n",
               false;
      a.older_than_days = std::stoi(d);
    }
    else if (s == "--state" && v) {
      a.state = store::parse_state(args[++i]);
      if (!a.state) return err << "unknown state '" << args[i] << "'\n", false;
    } else if (a.command.empty()) a.command = s;
    else if (a.id.empty() && s[0] != '-') a.id = s;
    else return err << "preflightctl queue: unexpected argument '" << s << "'\n", false;
  }
  bool needs_id = a.command == "show" || a.command == "approve" || a.command == "reject" || a.command == "cancel" ||
                  a.command == "release";
  if (a.command.empty() || (needs_id && a.id.empty())) {
    err << "usage: preflightctl queue list|show ID|approve ID|reject ID|cancel ID|release ID|purge|approvers\n"
           "       [--config FILE] [--json] [--state S] [--approver ADDR] [--limit N] [--offset N] [--comment TEXT]\n"
           "       [--older-than DAYS] [--records] [--bcc]\n";
    return false;
  }
  if (a.bcc && a.command != "approve") return err << "preflightctl queue: --bcc belongs to approve\n", false;
  bool paged = std::find(args.begin(), args.end(), "--limit") != args.end() ||
               std::find(args.begin(), args.end(), "--offset") != args.end();
  if (paged && a.command != "list") return err << "preflightctl queue: --limit and --offset belong to list\n", false;
  return true;
}

json row_json(const store::HeldMessage& m) {
  return {{"id", m.id}, {"kind", store::kind_name(m.kind)}, {"state", store::state_name(m.state)},
          {"queue_id", m.queue_id}, {"sender", m.sender}, {"recipients", m.recipients}, {"subject", m.subject},
          {"size", m.size}, {"created_at", m.created_at}, {"due_at", m.due_at}, {"expires_at", m.expires_at},
          {"approvers", m.approvers}, {"decided_by", m.decided_by}, {"released_at", m.released_at},
          {"release_attempts", m.release_attempts}, {"last_error", m.last_error},
          {"details", queue::details_of(m)}, {"delivery", queue::delivery_of(m)}};
}

std::string when(std::int64_t t) {
  if (t == 0) return "-";
  char buf[32];
  std::time_t tt = t;
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", std::localtime(&tt));
  return buf;
}

// What a page shows of the whole list: "rows 1001-2000 of 2345 message(s); next: --offset 2000".
std::string page_line(const QueueArgs& a, std::size_t shown, std::int64_t total) {
  std::string line;
  if (shown == 0) line = "no rows at offset " + std::to_string(a.offset);
  else line = "rows " + std::to_string(a.offset + 1) + "-" + std::to_string(a.offset + static_cast<std::int64_t>(shown));
  line += " of " + std::to_string(total) + " message(s)";
  if (a.offset + static_cast<std::int64_t>(shown) < total)
    line += "; next: --offset " + std::to_string(a.offset + static_cast<std::int64_t>(shown));
  return line;
}

int list(queue::Queue& q, const QueueArgs& a, std::ostream& out, std::ostream& err) {
  auto rows = q.store().list({a.state, a.approver, a.limit, a.offset});
  if (!rows) return err << rows.error() << "\n", 1;
  store::HeldQuery scope;
  scope.state = a.state;
  scope.approver = a.approver;
  auto total = q.store().count(scope);
  if (!total) return err << total.error() << "\n", 1;
  const bool whole = a.offset == 0 && static_cast<std::int64_t>(rows->size()) == *total;
  if (a.json) {
    json j = json::array();
    for (const auto& m : *rows) j.push_back(row_json(m));
    out << j.dump(2) << "\n";
    if (!whole) err << page_line(a, rows->size(), *total) << "\n";  // stdout stays the JSON array
    return 0;
  }
  for (const auto& m : *rows)
    out << m.id << "  " << store::state_name(m.state) << "  " << store::kind_name(m.kind) << "  " << when(m.created_at)
        << "  <" << m.sender << "> -> " << m.recipients.size() << " rcpt  " << m.subject << "\n";
  if (whole) out << rows->size() << " message(s)\n";
  else out << page_line(a, rows->size(), *total) << "\n";
  return 0;
}

int show(queue::Queue& q, const QueueArgs& a, std::ostream& out, std::ostream& err) {
  auto m = q.store().get(a.id);
  if (!m) return err << m.error() << "\n", 1;
  if (!m->has_value()) return err << "no held message " << a.id << "\n", 1;
  auto trail = q.store().audit_trail(a.id);
  json audit = json::array();
  for (const auto& e : trail ? *trail : std::vector<store::AuditEntry>{})
    audit.push_back({{"at", e.at}, {"actor", e.actor}, {"address", e.address}, {"action", e.action},
                     {"from", e.from_state}, {"to", e.to_state}, {"comment", e.comment}});
  json j = row_json(**m);
  j["audit"] = audit;
  if (a.json) return out << j.dump(2) << "\n", 0;
  for (const auto& [k, v] : j.items())
    if (k != "audit" && k != "details") out << k << ": " << (v.is_string() ? v.get<std::string>() : v.dump()) << "\n";
  if (const auto& d = j["details"]; d.is_object() && d.contains("bcc_option") && d["bcc_option"].is_object())
    out << "approve --bcc: possible, hides from To/Cc " << d["bcc_option"].value("hidden", json::array()).dump() << "\n";
  out << "audit:\n";
  for (const auto& e : audit)
    out << "  " << when(e["at"].get<std::int64_t>()) << "  " << e["action"].get<std::string>() << "  "
        << e["actor"].get<std::string>() << "  " << e["from"].get<std::string>() << " -> "
        << e["to"].get<std::string>() << "  " << e["comment"].get<std::string>() << "\n";
  return 0;
}

int decide(queue::Queue& q, const QueueArgs& a, std::ostream& out, std::ostream& err) {
  using queue::Decision;
  Decision d = a.command == "approve" ? Decision::Approve
               : a.command == "reject" ? Decision::Reject
               : a.command == "cancel" ? Decision::Cancel
                                       : Decision::Release;
  auto r = q.decide({a.id, d, actor(), "localhost", a.comment, true, a.bcc});
  if (!r) return err << "preflightctl queue " << a.command << ": " << r.error() << "\n", 1;
  auto m = q.store().get(a.id);
  std::string state = m && m->has_value() ? store::state_name((*m)->state) : store::state_name(*r);
  if (a.json) out << json{{"id", a.id}, {"state", state}}.dump() << "\n";
  else out << a.id << ": " << state << "\n";
  return 0;
}

int purge(queue::Queue& q, const QueueArgs& a, std::ostream& out, std::ostream& err) {
  auto ids = q.store().purge(now() - std::int64_t{a.older_than_days} * 86400, a.records);
  if (!ids) return err << ids.error() << "\n", 1;
  for (const auto& id : *ids) q.spool().remove(id);
  if (a.json) out << json{{"purged", *ids}}.dump() << "\n";
  else out << ids->size() << " finished message(s) purged" << (a.records ? ", with their audit rows and notices" : "")
           << "\n";
  return 0;
}

// Pending requests per approver now, and their decisions of the last 30 days with the median wait.
int approvers(queue::Queue& q, const QueueArgs& a, std::ostream& out, std::ostream& err) {
  auto load = queue::approver_load_json(q.store(), now(), 30, a.approver);
  if (!load) return err << load.error() << "\n", 1;
  if (a.json) return out << load->dump(2) << "\n", 0;
  out << "pending  decided  median  approver   (decisions of the last " << (*load)["days"] << " days)\n";
  for (const auto& r : (*load)["approvers"]) {
    std::int64_t median = r["median_decision_seconds"];
    std::string m = median < 0 ? "-" : std::to_string((median + 59) / 60) + "m";
    out << std::setw(7) << r["pending"].get<std::int64_t>() << "  " << std::setw(7) << r["decided"].get<std::int64_t>()
        << "  " << std::setw(6) << m << "  " << r["approver"].get<std::string>() << "\n";
  }
  return 0;
}

}  // namespace

int queue_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  QueueArgs a;
  if (!parse(args, a, err)) return 64;
  auto cr = daemon::load_config(a.config);
  for (const auto& e : cr.errors) err << e.str() << "\n";
  if (!cr.errors.empty()) return 1;
  auto st = store::open_sqlite(cr.config.state_dir + "/preflight.db");
  if (!st) return err << st.error() << "\n", 1;
  const auto& c = cr.config;
  queue::QueueSettings qs{c.state_dir + "/spool", c.queue.reinject, c.queue.notice_from, c.queue.lease_seconds, nullptr};
  qs.max_release_attempts = c.queue.max_release_attempts;
  qs.max_release_seconds = c.queue.max_release_seconds;
  qs.admin_address = c.queue.admin_address;
  queue::Queue q(*st, qs, nullptr, now);
  if (a.command == "list") return list(q, a, out, err);
  if (a.command == "show") return show(q, a, out, err);
  if (a.command == "purge") return purge(q, a, out, err);
  if (a.command == "approvers") return approvers(q, a, out, err);
  if (a.command == "approve" || a.command == "reject" || a.command == "cancel" || a.command == "release")
    return decide(q, a, out, err);
  err << "preflightctl queue: unknown command '" << a.command << "'\n";
  return 64;
}

}  // namespace preflight::cli
