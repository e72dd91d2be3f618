// SQLite store: the approvals approval fatigue counts, and each approver's load; see store.hpp.
//
// An approval is recorded in the transaction of its state change (move_state, held -> approved), one row per
// approve rule of the message and external organisational domain, both read from the held row's details
// ("rules" with their action, "external_domains"), so that counting them later is one index range and
// never reads a message's JSON. Messages held before details carried "external_domains" give no rows.
#include <algorithm>
#include <map>

#include "sqlite_store.hpp"

namespace preflight::store {

namespace {

constexpr const char* kDetails = "(CASE WHEN json_valid(held.details) THEN held.details ELSE '{}' END)";

}  // namespace

std::int64_t median_of(const std::vector<std::int64_t>& sorted) {
  if (sorted.empty()) return -1;
  std::size_t mid = sorted.size() / 2;
  return sorted.size() % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

void SqliteStore::create_approval_schema() {
  db_.exec(R"SQL(
CREATE TABLE IF NOT EXISTS approvals (
  sender TEXT NOT NULL, org_domain TEXT NOT NULL, rule_id TEXT NOT NULL, at INTEGER NOT NULL,
  held_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS approvals_pair ON approvals(sender, org_domain, rule_id, at);
)SQL");
}

void SqliteStore::record_approval(const std::string& id, std::int64_t at) {
  Stmt s(db_, std::string("INSERT INTO approvals(sender, org_domain, rule_id, at, held_id) "
                          "SELECT DISTINCT lower(held.sender), lower(d.value), json_extract(r.value, '$.id'), ?, "
                          "held.id FROM held, json_each(") + kDetails + ", '$.external_domains') AS d, json_each(" +
                 kDetails + ", '$.rules') AS r WHERE held.id = ? AND held.kind = 'approval' AND d.type = 'text' "
                 "AND r.type = 'object' AND json_extract(r.value, '$.action') = 'approve' "
                 "AND json_type(r.value, '$.id') = 'text'");
  s.bind(1, at).bind(2, id).run();
}

util::Result<std::int64_t> SqliteStore::approvals_since(const std::string& sender, const std::string& org_domain,
                                                        const std::string& rule_id, std::int64_t since) {
  return guarded<std::int64_t>([&] {
    Stmt s(db_, "SELECT count(*) FROM approvals WHERE sender = lower(?) AND org_domain = lower(?) AND rule_id = ? "
                "AND at >= ?");
    s.bind(1, sender).bind(2, org_domain).bind(3, rule_id).bind(4, since);
    return s.step() ? s.integer(0) : std::int64_t{0};
  });
}

// Pending: every held approval request, however old, for each of its approvers. Decided: requests whose
// decision since `since` was made by one of their approvers (not the scheduler's expiry, not an
// administrator from the command line, not a sender cancelling), timed from hold to decision.
util::Result<std::vector<ApproverLoad>> SqliteStore::approver_load(std::int64_t since) {
  return guarded<std::vector<ApproverLoad>>([&] {
    std::map<std::string, ApproverLoad> by;
    Stmt p(db_, "SELECT lower(j.value), count(*) FROM held, json_each(held.approvers) AS j "
                "WHERE held.state = 'held' AND held.kind = 'approval' GROUP BY 1");
    while (p.step()) by[p.text(0)].pending = p.integer(1);
    Stmt d(db_, "SELECT lower(held.decided_by), held.decided_at - held.created_at FROM held "
                "WHERE held.kind = 'approval' AND held.decided_at >= ? AND held.decided_by <> '' AND EXISTS "
                "(SELECT 1 FROM json_each(held.approvers) WHERE lower(value) = lower(held.decided_by)) ORDER BY 1, 2");
    d.bind(1, since);
    std::map<std::string, std::vector<std::int64_t>> waits;
    while (d.step()) waits[d.text(0)].push_back(d.integer(1));
    for (const auto& [who, w] : waits) {
      by[who].decided = static_cast<std::int64_t>(w.size());
      by[who].median_decision_seconds = median_of(w);
    }
    std::vector<ApproverLoad> out;
    for (auto& [who, load] : by) {
      load.approver = who;
      out.push_back(std::move(load));
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const ApproverLoad& a, const ApproverLoad& b) { return a.pending > b.pending; });
    return out;
  });
}

}  // namespace preflight::store
