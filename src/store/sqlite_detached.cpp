// SQLite store: attachments the `detach` action keeps for download; see store.hpp. Their audit rows live in
// the audit table under the batch id, so audit_trail(batch) lists the detach, every download, the revocation
// and the expiry.
#include "sqlite_store.hpp"

namespace preflight::store {

namespace {

const char* kDetachedColumns =
    "id, batch, sender, filename, content_type, sha256, size, created_at, expires_at, state, downloads, max_downloads";

DetachedFileRow read_detached(const Stmt& s) {
  DetachedFileRow r;
  r.id = s.text(0), r.batch = s.text(1), r.sender = s.text(2), r.filename = s.text(3), r.content_type = s.text(4);
  r.sha256 = s.text(5), r.size = s.integer(6), r.created_at = s.integer(7), r.expires_at = s.integer(8);
  r.state = s.text(9), r.downloads = s.integer(10), r.max_downloads = s.integer(11);
  return r;
}

}  // namespace

void SqliteStore::create_detached_schema() {
  db_.exec(R"SQL(
CREATE TABLE IF NOT EXISTS detached (
  id TEXT PRIMARY KEY, batch TEXT NOT NULL, sender TEXT NOT NULL, filename TEXT NOT NULL, content_type TEXT,
  sha256 TEXT, size INTEGER, created_at INTEGER, expires_at INTEGER, state TEXT NOT NULL,
  downloads INTEGER DEFAULT 0, max_downloads INTEGER DEFAULT 0);
CREATE INDEX IF NOT EXISTS detached_batch ON detached(batch);
CREATE INDEX IF NOT EXISTS detached_expiry ON detached(state, expires_at);
)SQL");
}

util::Result<bool> SqliteStore::insert_detached(const std::vector<DetachedFileRow>& files, const AuditEntry& audit) {
  return guarded<bool>([&] {
    DurableCommit durable(db_);
    Transaction tx(db_);
    for (const auto& f : files) {
      Stmt s(db_, std::string("INSERT INTO detached(") + kDetachedColumns + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
      s.bind(1, f.id).bind(2, f.batch).bind(3, f.sender).bind(4, f.filename).bind(5, f.content_type);
      s.bind(6, f.sha256).bind(7, f.size).bind(8, f.created_at).bind(9, f.expires_at).bind(10, f.state);
      s.bind(11, f.downloads).bind(12, f.max_downloads).run();
    }
    write_audit(audit);
    tx.commit();
    return true;
  });
}

std::vector<DetachedFileRow> SqliteStore::select_detached(const char* where, const std::string& key) {
  Stmt s(db_, std::string("SELECT ") + kDetachedColumns + " FROM detached WHERE " + where + " ORDER BY rowid");
  s.bind(1, key);
  std::vector<DetachedFileRow> out;
  while (s.step()) out.push_back(read_detached(s));
  return out;
}

util::Result<std::optional<DetachedFileRow>> SqliteStore::detached_file(const std::string& id) {
  return guarded<std::optional<DetachedFileRow>>([&]() -> std::optional<DetachedFileRow> {
    auto rows = select_detached("id = ?", id);
    if (rows.empty()) return std::nullopt;
    return rows.front();
  });
}

util::Result<std::vector<DetachedFileRow>> SqliteStore::detached_batch(const std::string& batch) {
  return guarded<std::vector<DetachedFileRow>>([&] { return select_detached("batch = ?", batch); });
}

util::Result<bool> SqliteStore::count_download(const std::string& id, std::int64_t now, const AuditEntry& audit) {
  return guarded<bool>([&] {
    Transaction tx(db_);
    Stmt s(db_, "UPDATE detached SET downloads = downloads + 1 WHERE id = ? AND state = 'active' AND expires_at > ? "
                "AND (max_downloads = 0 OR downloads < max_downloads)");
    s.bind(1, id).bind(2, now).run();
    if (db_.changes() == 0) return false;
    write_audit(audit);
    tx.commit();
    return true;
  });
}

util::Result<std::vector<std::string>> SqliteStore::revoke_detached(const std::string& batch, const AuditEntry& audit) {
  return guarded<std::vector<std::string>>([&] {
    Transaction tx(db_);
    std::vector<std::string> ids;
    for (const auto& f : select_detached("batch = ? AND state = 'active'", batch)) ids.push_back(f.id);
    if (ids.empty()) return ids;
    Stmt s(db_, "UPDATE detached SET state = 'revoked' WHERE batch = ? AND state = 'active'");
    s.bind(1, batch).run();
    write_audit(audit);
    tx.commit();
    return ids;
  });
}

util::Result<std::vector<std::string>> SqliteStore::expire_detached(std::int64_t now) {
  return guarded<std::vector<std::string>>([&] {
    Transaction tx(db_);
    std::vector<std::string> ids, batches;
    Stmt s(db_, "SELECT id, batch FROM detached WHERE state = 'active' AND expires_at <= ? ORDER BY batch");
    s.bind(1, now);
    while (s.step()) {
      ids.push_back(s.text(0));
      if (batches.empty() || batches.back() != s.text(1)) batches.push_back(s.text(1));
    }
    if (ids.empty()) return ids;
    Stmt u(db_, "UPDATE detached SET state = 'expired' WHERE state = 'active' AND expires_at <= ?");
    u.bind(1, now).run();
    for (const auto& b : batches) write_audit({b, now, "scheduler", "", "expire", "active", "expired", ""});
    tx.commit();
    return ids;
  });
}

}  // namespace preflight::store
