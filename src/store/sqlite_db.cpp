// RAII over SQLite; see sqlite_db.hpp.
#include "sqlite_db.hpp"

#include "preflight/util/metrics.hpp"

namespace preflight::store {

Db::Db(const std::string& path) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw DbError{"cannot open " + path + ": " + msg};
  }
  sqlite3_busy_timeout(db_, 10000);  // the CLI and the daemon share the file
}

Db::~Db() {
  for (auto& [sql, stmts] : idle_)
    for (auto* s : stmts) sqlite3_finalize(s);
  sqlite3_close(db_);
}

sqlite3_stmt* Db::take(const std::string& sql) {
  if (auto it = idle_.find(sql); it != idle_.end() && !it->second.empty()) {
    sqlite3_stmt* s = it->second.back();
    it->second.pop_back();
    return s;
  }
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &s, nullptr) != SQLITE_OK)
    fail("prepare failed");
  return s;
}

void Db::give_back(const std::string& sql, sqlite3_stmt* stmt) {
  if (!stmt) return;  // the SQL was only a comment or white space
  sqlite3_reset(stmt);  // ends its read of the database: a kept statement holds no snapshot
  sqlite3_clear_bindings(stmt);
  auto it = idle_.find(sql);
  if (it == idle_.end() && idle_.size() < kCachedSql) it = idle_.emplace(sql, std::vector<sqlite3_stmt*>{}).first;
  if (it == idle_.end()) return void(sqlite3_finalize(stmt));
  it->second.push_back(stmt);
}

void Db::fail(const std::string& what) {
  util::metrics::count("preflight_store_errors_total");
  throw DbError{what + ": " + sqlite3_errmsg(db_)};
}

void Db::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    util::metrics::count("preflight_store_errors_total");
    throw DbError{std::string("SQL failed (") + sql + "): " + msg};
  }
}

void Db::copy_from(const std::string& path) {
  sqlite3* src = nullptr;
  if (sqlite3_open_v2(path.c_str(), &src, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    std::string msg = src ? sqlite3_errmsg(src) : "out of memory";
    sqlite3_close(src);
    throw DbError{"cannot open " + path + " read-only: " + msg};
  }
  sqlite3_busy_timeout(src, 10000);
  sqlite3_backup* copy = sqlite3_backup_init(db_, "main", src, "main");
  int rc = copy ? sqlite3_backup_step(copy, -1) : SQLITE_ERROR;  // one step: one read transaction, a snapshot
  std::string msg = copy ? sqlite3_errstr(rc) : sqlite3_errmsg(db_);
  sqlite3_backup_finish(copy);
  sqlite3_close(src);
  if (rc != SQLITE_DONE) throw DbError{"cannot copy " + path + ": " + msg};
}

Stmt::Stmt(Db& db, std::string_view sql) : db_(db), sql_(sql), stmt_(db.take(sql_)) {}

Stmt::~Stmt() { db_.give_back(sql_, stmt_); }

Stmt& Stmt::bind(int i, std::string_view text) {
  sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Stmt& Stmt::bind(int i, std::int64_t n) {
  sqlite3_bind_int64(stmt_, i, n);
  return *this;
}

Stmt& Stmt::bind_blob(int i, std::string_view bytes) {
  sqlite3_bind_blob(stmt_, i, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  return *this;
}

bool Stmt::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_.fail("query failed");
}

std::string Stmt::text(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return p ? std::string(static_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();
}

std::int64_t Stmt::integer(int col) const { return sqlite3_column_int64(stmt_, col); }

}  // namespace preflight::store
