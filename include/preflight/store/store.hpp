// The store: held messages and their audit trail, delivery history, and the outbox of notices.
// One interface, so that another backend (PostgreSQL for several gateways) can stand beside SQLite.
// Every method is safe to call from several threads. "Absent" (nullopt, false) is kept apart from
// "failed" (an error Result): a failing store must make the caller tempfail, never guess.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "preflight/util/result.hpp"

namespace preflight::store {

// held → approved | rejected | cancelled | expired;  approved → released | failed;
// expired → released | returned | failed.  `failed`: the release gave up (attempt or time limit) or every
// recipient refused the mail; it is terminal.
enum class State { Held, Approved, Rejected, Cancelled, Expired, Released, Returned, Failed };
enum class HoldKind { Delay, Approval };

const char* state_name(State s);
std::optional<State> parse_state(const std::string& s);
const char* kind_name(HoldKind k);

struct HeldMessage {
  std::string id;
  HoldKind kind = HoldKind::Delay;
  State state = State::Held;
  std::string queue_id;  // the MTA's queue id when it was held
  std::string sender;
  std::vector<std::string> recipients;
  std::string subject;  // decoded, for lists and notices
  std::int64_t size = 0;
  std::int64_t created_at = 0;
  std::int64_t due_at = 0;       // delay-send: when it is released by itself
  std::int64_t expires_at = 0;   // approval: when nobody decided in time
  std::int64_t escalate_at = 0;  // approval: when deputies are asked too (0: never, or done)
  bool release_on_expiry = false;
  std::vector<std::string> approvers;  // who may decide (addresses; the sender for self-confirmation)
  std::string details_json;            // reasons, attachments, recipient marks (for pages and notices)
  std::string edits_json;              // header edits applied when it is released (bcc, verdict header)
  std::string decided_by;
  std::int64_t decided_at = 0;
  std::int64_t released_at = 0;
  int release_attempts = 0;
  std::string last_error;
  // What became of each recipient so far (queue::delivery_of reads it): a JSON object address ->
  // {"outcome": "sent"|"deferred"|"failed", "reply": TEXT, "at": UNIX}; "" before the first attempt.
  std::string delivery_json;
};

struct AuditEntry {
  std::string held_id;
  std::int64_t at = 0;
  std::string actor;    // user address, "scheduler", "milter", "cli:<user>"
  std::string address;  // where from: client IP, "localhost"
  std::string action;   // "hold", "approve", "reject", "cancel", "expire", "release", "return", "escalate", ...
  std::string from_state, to_state;
  std::string comment;
};

struct ListFilter {
  std::optional<State> state;
  std::string approver;  // only messages this address may decide
  int limit = 100;
  int offset = 0;
};

// A search over held messages for the web queue: every filter is optional (empty / 0: any).
struct HeldQuery {
  std::optional<State> state;
  std::string approver;    // only messages this address may decide (an approver's scope)
  std::string reason;      // a rule id that fired
  std::string sender;      // exact address, case-insensitive
  std::string department;  // the sender's department from the directory at hold time
  std::string text;        // substring of subject, sender or a recipient, case-insensitive
  std::int64_t created_after = 0, created_before = 0;  // unix seconds
  std::string sort = "created_at";  // created_at, sender, subject, state, size, department
  bool descending = true;
  int limit = 50;
  int offset = 0;
};

// Aggregates for the dashboard, over the messages a HeldQuery's scope (approver) allows.
struct HeldStats {
  std::vector<std::pair<std::string, std::int64_t>> per_day;         // "YYYY-MM-DD" (UTC) -> held
  std::vector<std::pair<std::string, std::int64_t>> per_reason;      // rule id -> held
  std::vector<std::pair<std::string, std::int64_t>> per_department;  // department ("" unknown) -> held
  std::int64_t pending = 0, decided = 0;
  std::int64_t median_decision_seconds = -1;  // -1: nothing decided yet
};

// One approver's load: what waits for them now and how fast they decided lately.
struct ApproverLoad {
  std::string approver;                       // lower-case address
  std::int64_t pending = 0;                   // approval requests waiting for them now
  std::int64_t decided = 0;                   // requests they decided (approve, reject, cancel) in the period
  std::int64_t median_decision_seconds = -1;  // from hold to their decision; -1: none in the period
};

// A local account of the web role. `role` is "admin", "approver" or "auditor".
struct User {
  std::string name, email, role, password_hash;
  std::int64_t created_at = 0;
};

// A signed-in web session, keyed by the SHA-256 (hex) of its id; the id itself (the cookie value) is
// never stored, so the row cannot be used to sign in.
struct WebSession {
  std::string key;   // lowercase hex SHA-256 of the session id
  std::string user;  // account name
  std::string csrf;  // the session's CSRF token (useless without the id)
  std::int64_t expires_at = 0, created_at = 0;
};

struct HistoryEntry {
  std::string sender, address, domain;
  std::int64_t first_seen = 0, last_seen = 0, count = 0;
};

// One sender/address pair of history as added: its place in history (history_mark() after it was added),
// the address and its domain (lower-case).
struct HistoryAddress {
  std::int64_t mark = 0;
  std::string address, domain;
};

// One recipient of mail that left.
struct DeliveredTo {
  std::string address;       // lower-case
  std::string org_domain;    // organisational domain (Public Suffix List), lower-case
  std::string display_name;  // as written in To/Cc, may be empty
};

// A message the gateway passed, remembered for replies to it (thread-aware checks).
struct ThreadRow {
  std::string message_id;
  std::string from;
  std::vector<std::string> visible;     // From, To, Cc
  std::vector<std::string> recipients;  // envelope
  std::int64_t at = 0;
};

struct Notice {
  std::int64_t id = 0;
  std::string held_id;
  std::string rcpt;
  std::string raw;  // what to send: a notice spec (queue/notice_spec.hpp, links made at send time)
  std::int64_t created_at = 0;
  int attempts = 0;
};

// One attachment a `detach` action took out of a mail, kept as a file and served through a link. Files of
// one mail share a batch id (the audit trail's held_id). state: "active", "revoked", "expired".
struct DetachedFileRow {
  std::string id, batch, sender, filename, content_type, sha256;
  std::int64_t size = 0, created_at = 0, expires_at = 0;
  std::string state = "active";
  std::int64_t downloads = 0, max_downloads = 0;  // max 0: no limit
};

class Store {
 public:
  virtual ~Store() = default;

  // --- held messages ---
  // Inserts a new held message and its first audit row in one transaction.
  virtual util::Result<bool> insert_held(const HeldMessage& m, const AuditEntry& audit) = 0;
  virtual util::Result<std::optional<HeldMessage>> get(const std::string& id) = 0;
  virtual util::Result<std::vector<HeldMessage>> list(const ListFilter& filter) = 0;
  // Moves `id` from `from` to `to` only if it is in `from` now, writing the audit row in the same
  // transaction; false when the state had changed (someone else decided first).
  virtual util::Result<bool> transition(const std::string& id, State from, State to, const AuditEntry& audit) = 0;
  // The same, also replacing the header edits applied at release (an approver chose another delivery).
  virtual util::Result<bool> transition_with_edits(const std::string& id, State from, State to,
                                                   const std::string& edits_json, const AuditEntry& audit) = 0;
  // Approved (or expired-to-release) messages whose release lease is free; leases them for `lease_seconds`
  // so that another gateway or scheduler pass does not send them at the same time.
  // At most `limit` of them: a sender leases what it sends next, so no lease runs out while it waits its turn.
  virtual util::Result<std::vector<HeldMessage>> lease_releasable(std::int64_t now, int lease_seconds, int limit) = 0;
  virtual util::Result<bool> note_release_failure(const std::string& id, const std::string& error) = 0;
  // Records what a release attempt did to each recipient (HeldMessage::delivery_json) and its last error.
  virtual util::Result<bool> note_release_progress(const std::string& id, const std::string& delivery_json,
                                                   const std::string& error) = 0;
  // Held delay-sends whose due time has come; held approvals whose expiry or escalation time has come.
  virtual util::Result<std::vector<HeldMessage>> due(std::int64_t now) = 0;
  virtual util::Result<bool> update_approvers(const std::string& id, const std::vector<std::string>& approvers,
                                              std::int64_t escalate_at, const AuditEntry& audit) = 0;
  virtual util::Result<std::vector<AuditEntry>> audit_trail(const std::string& id) = 0;
  // Pending (held) approval count per approver.
  virtual util::Result<std::vector<std::pair<std::string, std::int64_t>>> pending_per_approver() = 0;
  // Every approver with pending requests or decisions made at or after `since`, most pending first.
  virtual util::Result<std::vector<ApproverLoad>> approver_load(std::int64_t since) = 0;
  // Approvals (held -> approved of an approval request, by anyone) at or after `since` of mail from `sender`
  // to `org_domain` that `rule_id` held. Recorded with the decision, for each approve rule of the message
  // and each external organisational domain of its details ("external_domains"); never purged with it.
  virtual util::Result<std::int64_t> approvals_since(const std::string& sender, const std::string& org_domain,
                                                     const std::string& rule_id, std::int64_t since) = 0;
  // Deletes finished messages (rejected, cancelled, released, returned, failed) decided before `before`;
  // returns their ids so the caller can delete the spool files. With `records`, their audit rows and
  // notices go too (otherwise the audit trail outlives the message, for the record).
  virtual util::Result<std::vector<std::string>> purge(std::int64_t before, bool records) = 0;

  // --- the web queue (paging, search, dashboard) ---
  virtual util::Result<std::vector<HeldMessage>> search(const HeldQuery& q) = 0;
  virtual util::Result<std::int64_t> count(const HeldQuery& q) = 0;  // ignores sort, limit and offset
  // Messages created since `since` (unix seconds) within q's filters.
  virtual util::Result<HeldStats> stats(const HeldQuery& q, std::int64_t since) = 0;

  // --- web accounts ---
  virtual util::Result<bool> put_user(const User& u) = 0;  // inserts or replaces by name
  virtual util::Result<std::optional<User>> find_user(const std::string& name) = 0;
  virtual util::Result<std::vector<User>> users() = 0;

  // --- web sessions ---
  virtual util::Result<bool> put_session(const WebSession& s) = 0;  // inserts or replaces by key
  virtual util::Result<std::optional<WebSession>> find_session(const std::string& key) = 0;
  virtual util::Result<bool> remove_session(const std::string& key) = 0;  // false when there was none
  // Deletes the sessions that expired at or before `now`; returns how many.
  virtual util::Result<std::int64_t> purge_sessions(std::int64_t now) = 0;

  // --- delivery history (only mail that actually left) ---
  virtual util::Result<bool> record_delivery(const std::string& sender, const std::vector<DeliveredTo>& recipients,
                                             std::int64_t at) = 0;
  virtual util::Result<std::optional<HistoryEntry>> history(const std::string& sender, const std::string& address) = 0;
  // Whether anyone has written to this address (lower-case).
  virtual util::Result<bool> address_known(const std::string& address) = 0;
  // Deliveries to an organisational domain, by anyone.
  virtual util::Result<std::int64_t> domain_count(const std::string& org_domain) = 0;
  virtual util::Result<std::vector<std::string>> known_org_domains(int limit) = 0;
  // Grows whenever history gains an address (a new sender/address pair; rows are never removed): a cheap
  // test of whether the known domains may have changed.
  virtual util::Result<std::int64_t> history_mark() = 0;
  // The organisational domains and the hosts below them of the addresses history gained after `mark`.
  virtual util::Result<std::vector<std::string>> domains_since(std::int64_t mark) = 0;
  // The history rows added after `mark` (a history_mark() or a row's `mark`), oldest first: the order in
  // which addresses_at lists a domain's addresses.
  virtual util::Result<std::vector<HistoryAddress>> addresses_since(std::int64_t mark) = 0;
  // Hosts below an organisational domain written to (client.example.com), most used first.
  virtual util::Result<std::vector<std::string>> known_subdomains(int limit) = 0;
  // Addresses (with their last display name) written to at this exact domain, in the order history gained
  // them (the first `limit`).
  virtual util::Result<std::vector<std::pair<std::string, std::string>>> addresses_at(const std::string& domain,
                                                                                     int limit) = 0;
  // Addresses last seen with this display name (compared NFKC and case-folded).
  virtual util::Result<std::vector<std::pair<std::string, std::string>>> addresses_named(const std::string& name,
                                                                                        int limit) = 0;

  // --- threads and exposure (cross-message checks) ---
  virtual util::Result<bool> record_thread(const ThreadRow& t) = 0;
  virtual util::Result<std::vector<ThreadRow>> threads(const std::vector<std::string>& message_ids) = 0;
  virtual util::Result<bool> record_exposure(const std::string& sender, std::int64_t count, std::int64_t at) = 0;
  virtual util::Result<std::int64_t> exposed_since(const std::string& sender, std::int64_t since) = 0;

  // --- mail that came in (milter.learn_daemons: learned, never checked) ---
  // The internal `recipients` received mail showing these external addresses: each becomes a
  // correspondent of each recipient (count, first and last seen), in one transaction. A display name is
  // written only for an address that has none yet, so inbound mail never replaces a name the
  // organisation's own mail wrote. Kept apart from `history`: known domains, look-alike and typo
  // candidates stay what the organisation itself wrote to.
  virtual util::Result<bool> record_received(const std::vector<std::string>& recipients,
                                             const std::vector<DeliveredTo>& correspondents, std::int64_t at) = 0;
  // Times `recipient` received mail showing `address` (0: never).
  virtual util::Result<std::int64_t> received_from(const std::string& recipient, const std::string& address) = 0;
  // Received mail showing addresses of this organisational domain, to anyone (a sum of counts).
  virtual util::Result<std::int64_t> received_from_domain(const std::string& org_domain) = 0;

  // --- notice outbox ---
  virtual util::Result<bool> enqueue_notice(const Notice& n) = 0;
  // Unsent notices made at or after `created_after` (older ones are given up, kept for the record).
  virtual util::Result<std::vector<Notice>> pending_notices(int limit, std::int64_t created_after) = 0;
  virtual util::Result<bool> notice_sent(std::int64_t id, std::int64_t at) = 0;
  virtual util::Result<bool> notice_failed(std::int64_t id, const std::string& error) = 0;
  virtual util::Result<std::vector<Notice>> notices_for(const std::string& held_id) = 0;
  // Deletes notices sent before `before`, and unsent ones made before `before` (given up long ago);
  // returns how many.
  virtual util::Result<std::int64_t> purge_notices(std::int64_t before) = 0;

  // --- detached attachments (the `detach` action) ---
  // Inserts the files of one mail and its first audit row in one transaction, committed durably.
  virtual util::Result<bool> insert_detached(const std::vector<DetachedFileRow>& files, const AuditEntry& audit) = 0;
  virtual util::Result<std::optional<DetachedFileRow>> detached_file(const std::string& id) = 0;
  virtual util::Result<std::vector<DetachedFileRow>> detached_batch(const std::string& batch) = 0;
  // Counts one download of an active file that has not expired at `now` and is under its limit, with the
  // audit row, in one transaction; false (nothing written) otherwise.
  virtual util::Result<bool> count_download(const std::string& id, std::int64_t now, const AuditEntry& audit) = 0;
  // Marks the active files of `batch` revoked, with the audit row; returns their ids (empty: none was).
  virtual util::Result<std::vector<std::string>> revoke_detached(const std::string& batch, const AuditEntry& audit) = 0;
  // Marks active files that expired at or before `now` expired (one audit row per batch); returns their ids.
  virtual util::Result<std::vector<std::string>> expire_detached(std::int64_t now) = 0;
};

// Opens (creating if needed) the SQLite store at `path` in WAL mode; ":memory:" for a private one.
util::Result<std::shared_ptr<Store>> open_sqlite(const std::string& path);
// A private in-memory store for simulations (`preflightctl replay`): nothing reaches a disk, and it is gone
// when the last reference goes. With `seed`, it starts as a consistent copy of the store file at that path,
// which is opened read-only and never written.
util::Result<std::shared_ptr<Store>> open_scratch_sqlite(const std::string& seed = "");

}  // namespace preflight::store
