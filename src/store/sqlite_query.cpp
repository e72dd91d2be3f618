// SQLite store: the web queue's search, count and dashboard aggregates; see store.hpp. Every value from
// the query is bound, never spliced into SQL; the sort column is chosen from a fixed list. Details are
// read with SQLite's JSON functions (a row whose details are not valid JSON counts as having none); rule
// ids come from the table held_rules (sqlite_store.cpp), filled from the details when a message is held.
#include <variant>

#include "sqlite_store.hpp"

namespace preflight::store {

namespace {

constexpr const char* kDetails = "(CASE WHEN json_valid(held.details) THEN held.details ELSE '{}' END)";
// The sender's department, "" when unknown. Exactly the expression of the index held_department
// (sqlite_users.cpp), so that filtering, sorting and counting by department read the index, not the JSON.
const std::string kDepartment = std::string("coalesce(json_extract(") + kDetails + ", '$.department'), '')";

struct Where {
  std::string sql = " WHERE 1=1";
  std::vector<std::variant<std::string, std::int64_t>> args;

  void add(const std::string& clause, std::variant<std::string, std::int64_t> arg) {
    sql += " AND " + clause;
    args.push_back(std::move(arg));
  }
  void bind(Stmt& s) const {
    int i = 1;
    for (const auto& a : args) {
      if (std::holds_alternative<std::string>(a)) s.bind(i++, std::get<std::string>(a));
      else s.bind(i++, std::get<std::int64_t>(a));
    }
  }
};

// LIKE pattern for a substring, with the wildcards of the text itself escaped.
std::string like_pattern(const std::string& text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}

Where where_for(const HeldQuery& q) {
  Where w;
  if (q.state) w.add("held.state = ?", std::string(state_name(*q.state)));
  if (!q.approver.empty())
    w.add("EXISTS (SELECT 1 FROM json_each(held.approvers) WHERE lower(value) = lower(?))", q.approver);
  if (!q.reason.empty()) w.add("held.id IN (SELECT held_id FROM held_rules WHERE rule_id = ?)", q.reason);
  if (!q.sender.empty()) w.add("lower(held.sender) = lower(?)", q.sender);
  if (!q.department.empty()) w.add(kDepartment + " = ?", q.department);  // never "" here: same rows as without coalesce
  if (q.created_after > 0) w.add("held.created_at >= ?", q.created_after);
  if (q.created_before > 0) w.add("held.created_at < ?", q.created_before);
  if (!q.text.empty()) {
    std::string p = like_pattern(q.text);
    w.add("(held.subject LIKE ? ESCAPE '\\'", p);
    w.sql += " OR held.sender LIKE ? ESCAPE '\\' OR held.recipients LIKE ? ESCAPE '\\')";
    w.args.push_back(p);
    w.args.push_back(p);
  }
  return w;
}

std::string order_by(const HeldQuery& q) {
  static const std::pair<const char*, std::string> kSortable[] = {
      {"created_at", "held.created_at"}, {"sender", "held.sender"}, {"subject", "held.subject"},
      {"state", "held.state"}, {"size", "held.size"}, {"department", kDepartment}};
  std::string column = "held.created_at";
  for (const auto& [name, expr] : kSortable)
    if (q.sort == name) column = expr;
  std::string dir = q.descending ? " DESC" : " ASC";
  return " ORDER BY " + column + dir + ", held.id" + dir;
}

std::vector<std::pair<std::string, std::int64_t>> pairs(Stmt& s) {
  std::vector<std::pair<std::string, std::int64_t>> out;
  while (s.step()) out.emplace_back(s.text(0), s.integer(1));
  return out;
}

}  // namespace

util::Result<std::vector<HeldMessage>> SqliteStore::search(const HeldQuery& q) {
  return guarded<std::vector<HeldMessage>>([&] {
    Where w = where_for(q);
    w.sql += order_by(q) + " LIMIT ? OFFSET ?";
    w.args.emplace_back(std::int64_t{q.limit});
    w.args.emplace_back(std::int64_t{q.offset});
    Stmt s(db_, std::string("SELECT ") + held_columns() + " FROM held" + w.sql);
    w.bind(s);
    std::vector<HeldMessage> out;
    while (s.step()) out.push_back(read_held_row(s));
    return out;
  });
}

util::Result<std::int64_t> SqliteStore::count(const HeldQuery& q) {
  return guarded<std::int64_t>([&] {
    Where w = where_for(q);
    Stmt s(db_, "SELECT count(*) FROM held" + w.sql);
    w.bind(s);
    return s.step() ? s.integer(0) : std::int64_t{0};
  });
}

util::Result<HeldStats> SqliteStore::stats(const HeldQuery& q, std::int64_t since) {
  return guarded<HeldStats>([&] {
    HeldQuery scoped = q;
    scoped.created_after = std::max(q.created_after, since);
    Where w = where_for(scoped);
    HeldStats st;
    auto run = [&](const std::string& sql) {
      Stmt s(db_, sql);
      w.bind(s);
      return pairs(s);
    };
    st.per_day = run("SELECT date(held.created_at, 'unixepoch'), count(*) FROM held" + w.sql + " GROUP BY 1 ORDER BY 1");
    // CROSS JOIN keeps held as the outer loop (SQLite does not reorder it): the period and scope pick few
    // held rows, and each finds its rules in held_rules_held. Left to itself the planner scanned all of
    // held_rules and looked up every message, 2–3 times slower.
    st.per_reason = run("SELECT r.rule_id, count(*) FROM held CROSS JOIN held_rules AS r ON r.held_id = held.id" +
                        w.sql + " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20");
    st.per_department =
        run("SELECT " + kDepartment + ", count(*) FROM held" + w.sql + " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20");
    auto states = run("SELECT held.state = 'held', count(*) FROM held" + w.sql + " GROUP BY 1");
    for (const auto& [held, n] : states) (held == "1" ? st.pending : st.decided) += n;
    Stmt d(db_, "SELECT held.decided_at - held.created_at FROM held" + w.sql +
                    " AND held.decided_at > 0 ORDER BY 1");
    w.bind(d);
    std::vector<std::int64_t> waits;
    while (d.step()) waits.push_back(d.integer(0));
    st.median_decision_seconds = median_of(waits);
    return st;
  });
}

}  // namespace preflight::store
