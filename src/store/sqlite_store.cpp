// SQLite store: schema and held-message operations; see store.hpp.
#include "sqlite_store.hpp"

#include <nlohmann/json.hpp>

#include "preflight/util/private_files.hpp"

namespace preflight::store {

namespace {

const char* kSchema = R"SQL(
CREATE TABLE IF NOT EXISTS held (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, state TEXT NOT NULL, queue_id TEXT, sender TEXT,
  recipients TEXT, subject TEXT, size INTEGER, created_at INTEGER, due_at INTEGER, expires_at INTEGER,
  escalate_at INTEGER, release_on_expiry INTEGER, approvers TEXT, details TEXT, edits TEXT,
  decided_by TEXT, decided_at INTEGER, released_at INTEGER, release_attempts INTEGER DEFAULT 0,
  last_error TEXT, lease_until INTEGER DEFAULT 0, delivery TEXT DEFAULT '');
-- The state filter of the web queue reads the messages of one state newest first from this index; it
-- replaces the index on state alone (held_state), which made the queue sort every held message.
CREATE INDEX IF NOT EXISTS held_state_created ON held(state, created_at);
DROP INDEX IF EXISTS held_state;
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY, held_id TEXT NOT NULL, at INTEGER, actor TEXT, address TEXT, action TEXT,
  from_state TEXT, to_state TEXT, comment TEXT);
CREATE INDEX IF NOT EXISTS audit_held ON audit(held_id);
CREATE TABLE IF NOT EXISTS history (
  sender TEXT NOT NULL, address TEXT NOT NULL, domain TEXT NOT NULL, org_domain TEXT NOT NULL DEFAULT '',
  first_seen INTEGER, last_seen INTEGER, count INTEGER, PRIMARY KEY (sender, address));
CREATE INDEX IF NOT EXISTS history_domain ON history(domain);
-- domain_count and known_org_domains read the per-domain totals (domain_totals), so history needs no index
-- on org_domain: one there (history_org, then history_org_count) was rewritten by every repeat delivery.
DROP INDEX IF EXISTS history_org;
DROP INDEX IF EXISTS history_org_count;
CREATE INDEX IF NOT EXISTS history_address ON history(address);
CREATE TABLE IF NOT EXISTS names (address TEXT PRIMARY KEY, name TEXT, name_key TEXT);
CREATE INDEX IF NOT EXISTS names_key ON names(name_key);
CREATE TABLE IF NOT EXISTS threads (
  message_id TEXT PRIMARY KEY, sender TEXT, visible TEXT, recipients TEXT, at INTEGER);
CREATE TABLE IF NOT EXISTS exposures (sender TEXT NOT NULL, at INTEGER NOT NULL, count INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS exposures_sender ON exposures(sender, at);
CREATE TABLE IF NOT EXISTS notices (
  id INTEGER PRIMARY KEY, held_id TEXT, rcpt TEXT, raw BLOB, created_at INTEGER, sent_at INTEGER DEFAULT 0,
  attempts INTEGER DEFAULT 0, last_error TEXT);
)SQL";

// The rule ids of held messages (`$.rules[*].id` of their details), so that the reason filter and the
// per-reason counts read an index instead of every row's JSON. Written with the held row (insert_held),
// removed with it (purge); details never change after insert. Details that are not valid JSON, rules that
// are not objects and rules without an id give no rows.
const char* kRuleSchema = R"SQL(
CREATE TABLE IF NOT EXISTS held_rules (
  held_id TEXT NOT NULL, rule_id TEXT NOT NULL, PRIMARY KEY (rule_id, held_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS held_rules_held ON held_rules(held_id);
)SQL";

// Fills held_rules from held; `extra` narrows the held rows. OR IGNORE: running it twice changes nothing.
std::string rules_from_details(const std::string& extra) {
  return "INSERT OR IGNORE INTO held_rules(held_id, rule_id) "
         "SELECT held.id, CASE WHEN r.type = 'object' THEN json_extract(r.value, '$.id') END AS rule "
         "FROM held, json_each(CASE WHEN json_valid(held.details) THEN held.details ELSE '{}' END, '$.rules') AS r "
         "WHERE rule IS NOT NULL" + extra;
}

const char* kColumns =
    "id, kind, state, queue_id, sender, recipients, subject, size, created_at, due_at, expires_at, escalate_at, "
    "release_on_expiry, approvers, details, edits, decided_by, decided_at, released_at, release_attempts, last_error, "
    "delivery";

std::string to_json(const std::vector<std::string>& v) { return nlohmann::json(v).dump(); }

std::vector<std::string> from_json(const std::string& s) {
  auto j = nlohmann::json::parse(s, nullptr, false);
  return j.is_array() ? j.get<std::vector<std::string>>() : std::vector<std::string>{};
}

}  // namespace

HeldMessage read_held_row(const Stmt& s) {
  HeldMessage m;
  m.id = s.text(0);
  m.kind = s.text(1) == "approval" ? HoldKind::Approval : HoldKind::Delay;
  m.state = parse_state(s.text(2)).value_or(State::Held);
  m.queue_id = s.text(3);
  m.sender = s.text(4);
  m.recipients = from_json(s.text(5));
  m.subject = s.text(6);
  m.size = s.integer(7);
  m.created_at = s.integer(8);
  m.due_at = s.integer(9);
  m.expires_at = s.integer(10);
  m.escalate_at = s.integer(11);
  m.release_on_expiry = s.integer(12) != 0;
  m.approvers = from_json(s.text(13));
  m.details_json = s.text(14);
  m.edits_json = s.text(15);
  m.decided_by = s.text(16);
  m.decided_at = s.integer(17);
  m.released_at = s.integer(18);
  m.release_attempts = static_cast<int>(s.integer(19));
  m.last_error = s.text(20);
  m.delivery_json = s.text(21);
  return m;
}

const char* held_columns() { return kColumns; }

const char* state_name(State s) {
  switch (s) {
    case State::Held: return "held";
    case State::Approved: return "approved";
    case State::Rejected: return "rejected";
    case State::Cancelled: return "cancelled";
    case State::Expired: return "expired";
    case State::Released: return "released";
    case State::Returned: return "returned";
    case State::Failed: return "failed";
  }
  return "?";
}

std::optional<State> parse_state(const std::string& s) {
  for (State st : {State::Held, State::Approved, State::Rejected, State::Cancelled, State::Expired, State::Released,
                   State::Returned, State::Failed})
    if (s == state_name(st)) return st;
  return std::nullopt;
}

const char* kind_name(HoldKind k) { return k == HoldKind::Approval ? "approval" : "delay"; }

// The database file exists 0600 before SQLite opens it, so that SQLite, which gives a new WAL and
// shared-memory file the mode of the database, makes those 0600 too whatever the umask.
static const std::string& private_file(const std::string& path) {
  if (auto ok = util::create_private_file(path); !ok) throw DbError{ok.error()};
  return path;
}

SqliteStore::SqliteStore(const std::string& path) : db_(private_file(path)) {
  db_.exec("PRAGMA journal_mode=WAL");
  for (const char* suffix : {"-wal", "-shm"})  // left wider by an older version
    if (auto ok = util::restrict_file(path + suffix); !ok) throw DbError{ok.error()};
  // NORMAL in WAL mode: always consistent, and history/notice writes cost no fsync. A new held message is
  // committed with FULL (insert_held): it must survive a power cut before the MTA discards its copy.
  db_.exec("PRAGMA synchronous=NORMAL");
  create_schema();
}

SqliteStore::SqliteStore(const Scratch& scratch) : db_(":memory:") {
  // Small pages: each write's savepoint copies every page it touches (a seed's copy keeps the seed's size).
  if (scratch.seed.empty())
    db_.exec("PRAGMA page_size=1024");
  else
    db_.copy_from(scratch.seed);
  db_.exec("PRAGMA synchronous=OFF");
  create_schema();  // brings a seed from an older version up to date
  // One transaction for the store's whole life: nothing of a private in-memory store outlives it, and a
  // write is then a savepoint, not a transaction of its own (replay writes for every mail it judges).
  db_.exec("BEGIN");
}

void SqliteStore::create_schema() {
  db_.exec(kSchema);
  add_delivery_column();
  create_rule_schema();
  create_totals_schema();
  create_web_schema();
  create_session_schema();
  create_received_schema();
  create_approval_schema();
  create_detached_schema();
}

// The per-recipient delivery record, on a database from before it existed.
void SqliteStore::add_delivery_column() {
  Stmt s(db_, "SELECT 1 FROM pragma_table_info('held') WHERE name = 'delivery'");
  if (!s.step()) db_.exec("ALTER TABLE held ADD COLUMN delivery TEXT DEFAULT ''");
}

// held_rules, and once, when the table is new, its rows for the messages already held (a database from
// before the table existed). Table, index and rows in one transaction: a crash cannot leave the table
// without its rows. An existing table takes no write lock (the CLI and the daemon share the file).
void SqliteStore::create_rule_schema() {
  auto exists = [&] {
    return Stmt(db_, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'held_rules'").step();
  };
  if (exists()) return;
  Transaction tx(db_);
  if (!exists()) {  // else another process created it meanwhile
    db_.exec(kRuleSchema);
    db_.exec(rules_from_details("").c_str());
  }
  tx.commit();
}

util::Result<std::shared_ptr<Store>> open_sqlite(const std::string& path) {
  try {
    return std::shared_ptr<Store>(std::make_shared<SqliteStore>(path));
  } catch (const DbError& e) {
    return util::Error{"store: " + e.message};
  }
}

util::Result<std::shared_ptr<Store>> open_scratch_sqlite(const std::string& seed) {
  try {
    return std::shared_ptr<Store>(std::make_shared<SqliteStore>(SqliteStore::Scratch{seed}));
  } catch (const DbError& e) {
    return util::Error{"store: " + e.message};
  }
}

void SqliteStore::write_audit(const AuditEntry& a) {
  Stmt s(db_, "INSERT INTO audit(held_id, at, actor, address, action, from_state, to_state, comment) "
              "VALUES (?,?,?,?,?,?,?,?)");
  s.bind(1, a.held_id).bind(2, a.at).bind(3, a.actor).bind(4, a.address).bind(5, a.action);
  s.bind(6, a.from_state).bind(7, a.to_state).bind(8, a.comment).run();
}

util::Result<bool> SqliteStore::insert_held(const HeldMessage& m, const AuditEntry& audit) {
  return guarded<bool>([&] {
    DurableCommit durable(db_);
    Transaction tx(db_);
    Stmt s(db_, std::string("INSERT INTO held(") + kColumns + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    s.bind(1, m.id).bind(2, kind_name(m.kind)).bind(3, state_name(m.state)).bind(4, m.queue_id).bind(5, m.sender);
    s.bind(6, to_json(m.recipients)).bind(7, m.subject).bind(8, m.size).bind(9, m.created_at).bind(10, m.due_at);
    s.bind(11, m.expires_at).bind(12, m.escalate_at).bind(13, std::int64_t{m.release_on_expiry});
    s.bind(14, to_json(m.approvers)).bind(15, m.details_json).bind(16, m.edits_json).bind(17, m.decided_by);
    s.bind(18, m.decided_at).bind(19, m.released_at).bind(20, std::int64_t{m.release_attempts}).bind(21, m.last_error);
    s.bind(22, m.delivery_json).run();
    Stmt rules(db_, rules_from_details(" AND held.id = ?"));
    rules.bind(1, m.id).run();
    write_audit(audit);
    tx.commit();
    return true;
  });
}

std::vector<HeldMessage> SqliteStore::select_held(const std::string& where_sql, const std::vector<std::string>& texts,
                                                  const std::vector<std::int64_t>& numbers) {
  Stmt s(db_, std::string("SELECT ") + kColumns + " FROM held " + where_sql);
  int i = 1;
  for (const auto& t : texts) s.bind(i++, t);
  for (auto n : numbers) s.bind(i++, n);
  std::vector<HeldMessage> out;
  while (s.step()) out.push_back(read_held_row(s));
  return out;
}

util::Result<std::optional<HeldMessage>> SqliteStore::get(const std::string& id) {
  return guarded<std::optional<HeldMessage>>([&]() -> std::optional<HeldMessage> {
    auto rows = select_held("WHERE id = ?", {id}, {});
    if (rows.empty()) return std::nullopt;
    return rows.front();
  });
}

util::Result<std::vector<HeldMessage>> SqliteStore::list(const ListFilter& f) {
  return guarded<std::vector<HeldMessage>>([&] {
    std::string where = "WHERE 1=1";
    std::vector<std::string> texts;
    if (f.state) where += " AND state = ?", texts.push_back(state_name(*f.state));
    if (!f.approver.empty())
      where += " AND EXISTS (SELECT 1 FROM json_each(held.approvers) WHERE lower(value) = lower(?))",
          texts.push_back(f.approver);
    return select_held(where + " ORDER BY created_at, id LIMIT ? OFFSET ?", texts, {f.limit, f.offset});
  });
}

// The state change and its audit row, inside the caller's transaction; false when `id` is not in `from`.
bool SqliteStore::move_state(const std::string& id, State from, State to, const AuditEntry& audit) {
  Stmt s(db_, "UPDATE held SET state = ?, decided_by = CASE WHEN ? IN ('approved','rejected','cancelled') "
              "THEN ? ELSE decided_by END, decided_at = CASE WHEN ? IN ('approved','rejected','cancelled','expired') "
              "THEN ? ELSE decided_at END, released_at = CASE WHEN ? = 'released' THEN ? ELSE released_at END, "
              "lease_until = 0 WHERE id = ? AND state = ?");
  std::string t = state_name(to);
  s.bind(1, t).bind(2, t).bind(3, audit.actor).bind(4, t).bind(5, audit.at).bind(6, t).bind(7, audit.at);
  s.bind(8, id).bind(9, state_name(from)).run();
  if (db_.changes() != 1) return false;
  AuditEntry a = audit;
  a.held_id = id;
  a.from_state = state_name(from);
  a.to_state = t;
  write_audit(a);
  if (from == State::Held && to == State::Approved) record_approval(id, audit.at);
  return true;
}

util::Result<bool> SqliteStore::transition(const std::string& id, State from, State to, const AuditEntry& audit) {
  return guarded<bool>([&] {
    Transaction tx(db_);
    if (!move_state(id, from, to, audit)) return false;
    tx.commit();
    return true;
  });
}

util::Result<bool> SqliteStore::transition_with_edits(const std::string& id, State from, State to,
                                                      const std::string& edits_json, const AuditEntry& audit) {
  return guarded<bool>([&] {
    Transaction tx(db_);
    if (!move_state(id, from, to, audit)) return false;
    Stmt s(db_, "UPDATE held SET edits = ? WHERE id = ?");
    s.bind(1, edits_json).bind(2, id).run();
    tx.commit();
    return true;
  });
}

util::Result<std::vector<HeldMessage>> SqliteStore::lease_releasable(std::int64_t now, int lease_seconds, int limit) {
  return guarded<std::vector<HeldMessage>>([&] {
    Transaction tx(db_);
    auto rows = select_held("WHERE (state = 'approved' OR (state = 'expired' AND release_on_expiry = 1)) "
                            "AND lease_until < ? ORDER BY decided_at LIMIT ?", {}, {now, limit});
    for (const auto& m : rows) {
      Stmt s(db_, "UPDATE held SET lease_until = ?, release_attempts = release_attempts + 1 WHERE id = ?");
      s.bind(1, now + lease_seconds).bind(2, m.id).run();
    }
    tx.commit();
    return rows;
  });
}

util::Result<bool> SqliteStore::note_release_failure(const std::string& id, const std::string& error) {
  return guarded<bool>([&] {
    Stmt s(db_, "UPDATE held SET last_error = ? WHERE id = ?");
    s.bind(1, error).bind(2, id).run();
    return db_.changes() == 1;
  });
}

util::Result<bool> SqliteStore::note_release_progress(const std::string& id, const std::string& delivery_json,
                                                      const std::string& error) {
  return guarded<bool>([&] {
    Stmt s(db_, "UPDATE held SET delivery = ?, last_error = ? WHERE id = ?");
    s.bind(1, delivery_json).bind(2, error).bind(3, id).run();
    return db_.changes() == 1;
  });
}

util::Result<std::vector<HeldMessage>> SqliteStore::due(std::int64_t now) {
  return guarded<std::vector<HeldMessage>>([&] {
    return select_held("WHERE state = 'held' AND ((kind = 'delay' AND due_at <= ?) OR (kind = 'approval' AND "
                       "(expires_at <= ? OR (escalate_at > 0 AND escalate_at <= ?)))) ORDER BY created_at",
                       {}, {now, now, now});
  });
}

util::Result<bool> SqliteStore::update_approvers(const std::string& id, const std::vector<std::string>& approvers,
                                                 std::int64_t escalate_at, const AuditEntry& audit) {
  return guarded<bool>([&] {
    Transaction tx(db_);
    Stmt s(db_, "UPDATE held SET approvers = ?, escalate_at = ? WHERE id = ? AND state = 'held'");
    s.bind(1, to_json(approvers)).bind(2, escalate_at).bind(3, id).run();
    if (db_.changes() != 1) return false;
    write_audit(audit);
    tx.commit();
    return true;
  });
}

util::Result<std::vector<AuditEntry>> SqliteStore::audit_trail(const std::string& id) {
  return guarded<std::vector<AuditEntry>>([&] {
    Stmt s(db_, "SELECT held_id, at, actor, address, action, from_state, to_state, comment FROM audit "
                "WHERE held_id = ? ORDER BY seq");
    s.bind(1, id);
    std::vector<AuditEntry> out;
    while (s.step())
      out.push_back({s.text(0), s.integer(1), s.text(2), s.text(3), s.text(4), s.text(5), s.text(6), s.text(7)});
    return out;
  });
}

util::Result<std::vector<std::pair<std::string, std::int64_t>>> SqliteStore::pending_per_approver() {
  return guarded<std::vector<std::pair<std::string, std::int64_t>>>([&] {
    Stmt s(db_, "SELECT lower(j.value), count(*) FROM held, json_each(held.approvers) AS j "
                "WHERE held.state = 'held' AND held.kind = 'approval' GROUP BY lower(j.value) ORDER BY 2 DESC, 1");
    std::vector<std::pair<std::string, std::int64_t>> out;
    while (s.step()) out.emplace_back(s.text(0), s.integer(1));
    return out;
  });
}

util::Result<std::vector<std::string>> SqliteStore::purge(std::int64_t before, bool records) {
  return guarded<std::vector<std::string>>([&] {
    Transaction tx(db_);
    const char* finished = "state IN ('rejected','cancelled','released','returned','failed') AND "
                           "max(decided_at, released_at, created_at) < ?";
    std::vector<std::string> ids;
    {
      Stmt s(db_, std::string("SELECT id FROM held WHERE ") + finished);
      s.bind(1, before);
      while (s.step()) ids.push_back(s.text(0));
    }
    std::vector<const char*> tables = {"held_rules"};
    if (records) tables.insert(tables.end(), {"audit", "notices"});
    for (const char* table : tables) {
      Stmt s(db_, std::string("DELETE FROM ") + table + " WHERE held_id IN (SELECT id FROM held WHERE " + finished + ")");
      s.bind(1, before).run();
    }
    Stmt del(db_, std::string("DELETE FROM held WHERE ") + finished);
    del.bind(1, before).run();
    tx.commit();
    return ids;
  });
}

}  // namespace preflight::store
