// SQLite store: signed-in web sessions; see store.hpp. Rows are keyed by the SHA-256 of the session id
// (the caller's): the id itself never reaches the database.
#include "sqlite_store.hpp"

namespace preflight::store {

void SqliteStore::create_session_schema() {
  db_.exec(R"SQL(
CREATE TABLE IF NOT EXISTS web_sessions (
  key TEXT PRIMARY KEY, user TEXT NOT NULL, csrf TEXT NOT NULL, expires_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS web_sessions_expiry ON web_sessions(expires_at);
)SQL");
}

util::Result<bool> SqliteStore::put_session(const WebSession& w) {
  return guarded<bool>([&] {
    Stmt s(db_, "INSERT INTO web_sessions(key, user, csrf, expires_at, created_at) VALUES (?,?,?,?,?) "
                "ON CONFLICT(key) DO UPDATE SET user = excluded.user, csrf = excluded.csrf, "
                "expires_at = excluded.expires_at, created_at = excluded.created_at");
    s.bind(1, w.key).bind(2, w.user).bind(3, w.csrf).bind(4, w.expires_at).bind(5, w.created_at).run();
    return true;
  });
}

util::Result<std::optional<WebSession>> SqliteStore::find_session(const std::string& key) {
  return guarded<std::optional<WebSession>>([&]() -> std::optional<WebSession> {
    Stmt s(db_, "SELECT key, user, csrf, expires_at, created_at FROM web_sessions WHERE key = ?");
    s.bind(1, key);
    if (!s.step()) return std::nullopt;
    return WebSession{s.text(0), s.text(1), s.text(2), s.integer(3), s.integer(4)};
  });
}

util::Result<bool> SqliteStore::remove_session(const std::string& key) {
  return guarded<bool>([&] {
    Stmt s(db_, "DELETE FROM web_sessions WHERE key = ?");
    s.bind(1, key).run();
    return db_.changes() > 0;
  });
}

util::Result<std::int64_t> SqliteStore::purge_sessions(std::int64_t now) {
  return guarded<std::int64_t>([&] {
    Stmt s(db_, "DELETE FROM web_sessions WHERE expires_at <= ?");
    s.bind(1, now).run();
    return db_.changes();
  });
}

}  // namespace preflight::store
