// A small RAII layer over the SQLite C API: one connection, prepared statements with typed binds and
// column reads, and transactions. Internal to the store module. Not thread-safe by itself: the
// SQLite store serialises access with its own mutex. The connection keeps the statements it prepared
// (up to kCachedSql texts): a Stmt of the same SQL text takes one back, reset and unbound, instead of
// preparing it again; a Stmt holds its statement alone while it lives (nested uses of one text get two).
#pragma once
#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace preflight::store {

class Db;

class Stmt {
 public:
  Stmt(Db& db, std::string_view sql);
  ~Stmt();  // gives the statement back to the connection, reset
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& bind(int i, std::string_view text);
  Stmt& bind(int i, std::int64_t n);
  Stmt& bind_blob(int i, std::string_view bytes);
  // Steps once: true when a row is available, false when done; throws DbError on failure.
  bool step();
  void run() { while (step()) {} }
  // Makes the statement ready to run again with new binds.
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::string text(int col) const;
  std::int64_t integer(int col) const;

 private:
  Db& db_;
  std::string sql_;
  sqlite3_stmt* stmt_ = nullptr;
};

struct DbError {
  std::string message;
};

class Db {
 public:
  explicit Db(const std::string& path);  // throws DbError
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void exec(const char* sql);  // throws DbError
  // Replaces this database's content with a consistent copy of the database file at `path`, opened read-only.
  void copy_from(const std::string& path);  // throws DbError
  sqlite3* handle() { return db_; }
  std::int64_t changes() { return sqlite3_changes64(db_); }
  std::int64_t last_id() { return sqlite3_last_insert_rowid(db_); }
  [[noreturn]] void fail(const std::string& what);
  // A prepared statement of `sql` that no Stmt holds: a kept one, else a new one (throws DbError).
  sqlite3_stmt* take(const std::string& sql);
  // Keeps `stmt` (reset and unbound) for the next take() of `sql`, or finalises it when the cache is full.
  void give_back(const std::string& sql, sqlite3_stmt* stmt);

  static constexpr std::size_t kCachedSql = 128;

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, std::vector<sqlite3_stmt*>> idle_;  // by SQL text
};

// BEGIN IMMEDIATE ... COMMIT, rolled back when destroyed without commit(). Inside a transaction that is
// already open (a scratch store keeps one open for its whole life) it is a savepoint of it instead:
// released by commit(), rolled back to when destroyed without, so its writes are still all or none.
class Transaction {
 public:
  explicit Transaction(Db& db) : db_(db), nested_(sqlite3_get_autocommit(db.handle()) == 0) {
    if (nested_)
      Stmt(db_, "SAVEPOINT tx").run();  // prepared once per connection: a scratch store takes one per write
    else
      db_.exec("BEGIN IMMEDIATE");
  }
  ~Transaction() {
    if (done_) return;
    sqlite3_exec(db_.handle(), nested_ ? "ROLLBACK TO tx; RELEASE tx" : "ROLLBACK", nullptr, nullptr, nullptr);
  }
  void commit() {
    if (nested_)
      Stmt(db_, "RELEASE tx").run();
    else
      db_.exec("COMMIT");
    done_ = true;
  }

 private:
  Db& db_;
  bool nested_;
  bool done_ = false;
};

}  // namespace preflight::store
