// The SQLite store: one file in WAL mode, one connection guarded by a mutex. Internal to the store module.
#pragma once
#include <mutex>

#include "preflight/store/store.hpp"
#include "sqlite_db.hpp"

namespace preflight::store {

// Shared by the store's source files: the held table's column list and one row of it as read by Stmt.
const char* held_columns();
HeldMessage read_held_row(const Stmt& s);
// The lower-case domain part of an address; "" without '@'.
std::string domain_of(const std::string& address);
// Display names are compared NFKC-normalised and case-folded (全角 and half-width spellings are one name).
std::string name_key(const std::string& name);
// The median of sorted seconds (the mean of the middle two for an even count); -1 when there are none.
std::int64_t median_of(const std::vector<std::int64_t>& sorted);

// For the life of this object, commits are synchronous=FULL (what the MTA is told depends on them),
// then back to NORMAL.
struct DurableCommit {
  explicit DurableCommit(Db& d) : db(d) { db.exec("PRAGMA synchronous=FULL"); }
  ~DurableCommit() { sqlite3_exec(db.handle(), "PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr); }
  Db& db;
};

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const std::string& path);  // throws DbError
  // A private in-memory store (no file, no fsync), a copy of the store file `seed` when it is not empty.
  struct Scratch {
    std::string seed;
  };
  explicit SqliteStore(const Scratch& scratch);  // throws DbError

  util::Result<bool> insert_held(const HeldMessage& m, const AuditEntry& audit) override;
  util::Result<std::optional<HeldMessage>> get(const std::string& id) override;
  util::Result<std::vector<HeldMessage>> list(const ListFilter& filter) override;
  util::Result<bool> transition(const std::string& id, State from, State to, const AuditEntry& audit) override;
  util::Result<bool> transition_with_edits(const std::string& id, State from, State to, const std::string& edits_json,
                                           const AuditEntry& audit) override;
  util::Result<std::vector<HeldMessage>> lease_releasable(std::int64_t now, int lease_seconds, int limit) override;
  util::Result<bool> note_release_failure(const std::string& id, const std::string& error) override;
  util::Result<bool> note_release_progress(const std::string& id, const std::string& delivery_json,
                                           const std::string& error) override;
  util::Result<std::vector<HeldMessage>> due(std::int64_t now) override;
  util::Result<bool> update_approvers(const std::string& id, const std::vector<std::string>& approvers,
                                      std::int64_t escalate_at, const AuditEntry& audit) override;
  util::Result<std::vector<AuditEntry>> audit_trail(const std::string& id) override;
  util::Result<std::vector<std::pair<std::string, std::int64_t>>> pending_per_approver() override;
  util::Result<std::vector<ApproverLoad>> approver_load(std::int64_t since) override;
  util::Result<std::int64_t> approvals_since(const std::string& sender, const std::string& org_domain,
                                             const std::string& rule_id, std::int64_t since) override;
  util::Result<std::vector<std::string>> purge(std::int64_t before, bool records) override;

  util::Result<std::vector<HeldMessage>> search(const HeldQuery& q) override;
  util::Result<std::int64_t> count(const HeldQuery& q) override;
  util::Result<HeldStats> stats(const HeldQuery& q, std::int64_t since) override;
  util::Result<bool> put_user(const User& u) override;
  util::Result<std::optional<User>> find_user(const std::string& name) override;
  util::Result<std::vector<User>> users() override;
  util::Result<bool> put_session(const WebSession& s) override;
  util::Result<std::optional<WebSession>> find_session(const std::string& key) override;
  util::Result<bool> remove_session(const std::string& key) override;
  util::Result<std::int64_t> purge_sessions(std::int64_t now) override;

  util::Result<bool> record_delivery(const std::string& sender, const std::vector<DeliveredTo>& recipients,
                                     std::int64_t at) override;
  util::Result<std::optional<HistoryEntry>> history(const std::string& sender, const std::string& address) override;
  util::Result<std::int64_t> domain_count(const std::string& org_domain) override;
  util::Result<std::vector<std::string>> known_org_domains(int limit) override;
  util::Result<std::vector<std::string>> known_subdomains(int limit) override;
  util::Result<std::int64_t> history_mark() override;
  util::Result<bool> address_known(const std::string& address) override;
  util::Result<std::vector<std::string>> domains_since(std::int64_t mark) override;
  util::Result<std::vector<HistoryAddress>> addresses_since(std::int64_t mark) override;
  util::Result<std::vector<std::pair<std::string, std::string>>> addresses_at(const std::string& domain,
                                                                             int limit) override;
  util::Result<std::vector<std::pair<std::string, std::string>>> addresses_named(const std::string& name,
                                                                                int limit) override;
  util::Result<bool> record_thread(const ThreadRow& t) override;
  util::Result<std::vector<ThreadRow>> threads(const std::vector<std::string>& message_ids) override;
  util::Result<bool> record_exposure(const std::string& sender, std::int64_t count, std::int64_t at) override;
  util::Result<std::int64_t> exposed_since(const std::string& sender, std::int64_t since) override;
  util::Result<bool> record_received(const std::vector<std::string>& recipients,
                                     const std::vector<DeliveredTo>& correspondents, std::int64_t at) override;
  util::Result<std::int64_t> received_from(const std::string& recipient, const std::string& address) override;
  util::Result<std::int64_t> received_from_domain(const std::string& org_domain) override;

  util::Result<bool> enqueue_notice(const Notice& n) override;
  util::Result<std::vector<Notice>> pending_notices(int limit, std::int64_t created_after) override;
  util::Result<bool> notice_sent(std::int64_t id, std::int64_t at) override;
  util::Result<bool> notice_failed(std::int64_t id, const std::string& error) override;
  util::Result<std::vector<Notice>> notices_for(const std::string& held_id) override;
  util::Result<std::int64_t> purge_notices(std::int64_t before) override;

  util::Result<bool> insert_detached(const std::vector<DetachedFileRow>& files, const AuditEntry& audit) override;
  util::Result<std::optional<DetachedFileRow>> detached_file(const std::string& id) override;
  util::Result<std::vector<DetachedFileRow>> detached_batch(const std::string& batch) override;
  util::Result<bool> count_download(const std::string& id, std::int64_t now, const AuditEntry& audit) override;
  util::Result<std::vector<std::string>> revoke_detached(const std::string& batch, const AuditEntry& audit) override;
  util::Result<std::vector<std::string>> expire_detached(std::int64_t now) override;

 private:
  void write_audit(const AuditEntry& a);
  bool move_state(const std::string& id, State from, State to, const AuditEntry& audit);
  void create_schema();
  void create_rule_schema();
  void create_totals_schema();  // sqlite_history.cpp
  void add_delivery_column();
  void create_web_schema();  // sqlite_users.cpp
  void create_session_schema();  // sqlite_sessions.cpp
  void create_received_schema();  // sqlite_received.cpp
  void create_approval_schema();  // sqlite_approvals.cpp
  void create_detached_schema();  // sqlite_detached.cpp
  std::vector<DetachedFileRow> select_detached(const char* where, const std::string& key);
  void record_approval(const std::string& id, std::int64_t at);  // sqlite_approvals.cpp, inside a transaction
  std::vector<HeldMessage> select_held(const std::string& where_sql, const std::vector<std::string>& texts,
                                       const std::vector<std::int64_t>& numbers);

  // Runs `f` under the connection mutex; a DbError becomes an error Result.
  template <typename T, typename F>
  util::Result<T> guarded(F&& f) {
    std::lock_guard<std::mutex> lock(mu_);
    try {
      return f();
    } catch (const DbError& e) {
      return util::Error{"store: " + e.message};
    }
  }

  std::mutex mu_;
  Db db_;
};

}  // namespace preflight::store
