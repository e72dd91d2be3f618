// SQLite store: web accounts (name, email, role, password hash) and the indexes the web queue's
// searches use; see store.hpp. Hashing is the caller's: the store keeps the encoded hash as given.
#include "sqlite_store.hpp"

namespace preflight::store {

void SqliteStore::create_web_schema() {
  db_.exec(R"SQL(
CREATE TABLE IF NOT EXISTS users (
  name TEXT PRIMARY KEY, email TEXT NOT NULL, role TEXT NOT NULL, password_hash TEXT NOT NULL,
  created_at INTEGER);
CREATE INDEX IF NOT EXISTS held_created ON held(created_at);
CREATE INDEX IF NOT EXISTS held_department ON held(
  coalesce(json_extract(CASE WHEN json_valid(details) THEN details ELSE '{}' END, '$.department'), ''), created_at);
)SQL");
}

util::Result<bool> SqliteStore::put_user(const User& u) {
  return guarded<bool>([&] {
    Stmt s(db_, "INSERT INTO users(name, email, role, password_hash, created_at) VALUES (?,?,?,?,?) "
                "ON CONFLICT(name) DO UPDATE SET email = excluded.email, role = excluded.role, "
                "password_hash = excluded.password_hash");
    s.bind(1, u.name).bind(2, u.email).bind(3, u.role).bind(4, u.password_hash).bind(5, u.created_at).run();
    return true;
  });
}

util::Result<std::optional<User>> SqliteStore::find_user(const std::string& name) {
  return guarded<std::optional<User>>([&]() -> std::optional<User> {
    Stmt s(db_, "SELECT name, email, role, password_hash, created_at FROM users WHERE name = ?");
    s.bind(1, name);
    if (!s.step()) return std::nullopt;
    return User{s.text(0), s.text(1), s.text(2), s.text(3), s.integer(4)};
  });
}

util::Result<std::vector<User>> SqliteStore::users() {
  return guarded<std::vector<User>>([&] {
    Stmt s(db_, "SELECT name, email, role, password_hash, created_at FROM users ORDER BY name");
    std::vector<User> out;
    while (s.step()) out.push_back({s.text(0), s.text(1), s.text(2), s.text(3), s.integer(4)});
    return out;
  });
}

}  // namespace preflight::store
