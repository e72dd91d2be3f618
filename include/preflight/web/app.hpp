// The approver web queue: what the web role needs from the rest of preflightd, as callbacks the daemon
// provides (the web module knows nothing of the store or the queue). Data crosses as JSON, the same
// objects the JSON API under /api/ returns, so the pages and other tools see exactly the same thing.
// Every handler runs on the server's worker threads and must be thread-safe.
#pragma once
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "preflight/util/result.hpp"
#include "preflight/web/sessions.hpp"

namespace preflight::web {

// admin: everything; approver: sees and decides only mail they are an approver of; auditor: reads all.
enum class Role { Admin, Approver, Auditor };
std::optional<Role> parse_role(const std::string& name);
const char* role_name(Role r);

struct Account {
  std::string name, email;
  Role role = Role::Auditor;
  std::string password_hash;  // password.hpp's encoding
};

// A page of the queue. Empty strings / 0 mean "any".
struct QueueQuery {
  std::string state, reason, sender, department, text;
  int min_age_days = 0;     // held at least this many days ago
  int max_age_days = 0;     // held at most this many days ago
  std::string sort = "created_at";
  bool descending = true;
  int page = 1;             // 1-based
  int per_page = 50;
  std::string scope;        // approver address whose mail only is listed; empty for everyone's
};

struct AppDecision {
  std::string id;
  std::string action;       // "approve", "approve-bcc" (To/Cc moved to Bcc, when the policy offers it), "reject"
  std::string actor;        // the account's email address (what the queue's approver lists hold)
  std::string address;      // the browser's address, for the audit trail
  std::string comment;
  bool admin = false;       // administrators may decide any message
};

struct AppSettings {
  // A request header naming the signed-in account, set by a reverse proxy that authenticated the user
  // (SSO). Empty: off. Believed only together with X-Preflight-Proxy-Secret carrying trust_proxy_secret,
  // so that no other local process can claim an account; the proxy must remove both headers from what
  // browsers send.
  std::string trust_proxy_header;
  std::int64_t session_idle_seconds = 8 * 3600;  // a session ends after this long unused
  SessionBackend sessions{};  // where sessions persist across restarts; empty: in memory only
  std::string trust_proxy_secret;  // empty: the proxy header is never believed
};

struct AppHandlers {
  std::function<std::optional<Account>(const std::string& name)> account;
  // {"total": N, "rows": [{id, state, kind, sender, subject, recipients, created_at, department,
  //   reasons: [id...], approvers: [...]}, ...]}
  std::function<util::Result<nlohmann::json>(const QueueQuery&)> list;
  // One message: the row's fields plus details (rules with facts, recipients and header recipients with
  // marks), attachments with findings, body (plain text), audit trail; nullopt when it does not exist.
  std::function<util::Result<std::optional<nlohmann::json>>(const std::string& id)> message;
  // Returns the new state's name, or why not (already decided, not allowed).
  std::function<util::Result<std::string>(const AppDecision&)> decide;
  // {"per_day": [[day, n]...], "per_reason": ..., "per_department": ..., "pending", "decided",
  //  "median_decision_seconds"} over the last 30 days, within `scope` (as in QueueQuery).
  std::function<util::Result<nlohmann::json>(const std::string& scope)> stats;
  // {"days": 30, "approvers": [{"approver", "pending", "decided", "median_decision_seconds"}, ...]}: pending
  // requests now and decisions of the last 30 days per approver; only `scope`'s entry when it is not empty.
  // Optional: without it the dashboard leaves the table out and /api/approvers answers 404.
  std::function<util::Result<nlohmann::json>(const std::string& scope)> approvers;
  // One queue row as in `list` (no mail content: the spool is not read); nullopt when it does not exist.
  // Scope checks before a decision use it. Optional: without it they use `message`.
  std::function<util::Result<std::optional<nlohmann::json>>(const std::string& id)> row;
};

}  // namespace preflight::web
