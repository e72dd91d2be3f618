// The held-mail queue: holds a message (spool first, then the queue row), carries out decisions
// (approve, reject, cancel, release), and runs the scheduler's passes (release due delay-sends, expire and
// escalate approvals, re-inject approved mail, send notices). Every state change is an audit row.
//
// Release is at least once and normally exactly once: a message is leased before it is sent, marked
// released after the MTA answered 250; a crash in between lets the lease run out and the next pass sends
// it again. Nothing in a message's headers influences any of this. Each recipient is followed on its own
// (HeldMessage::delivery_json): one accepted is never sent again, one refused with a 5xx is recorded as
// failed (the sender is told) while the others are released, one refused with a 4xx is tried again alone on
// a later pass. When the attempt or time limit is reached with recipients still to try, or when every
// recipient refused it, the message becomes `failed`: an audit row and a notice to the sender and the admin
// address. The ESMTP parameters of the original transaction are kept in its details ("esmtp") and replayed.
//
// Thread-safe: the store serialises its own access; the spool has no shared state.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "preflight/action/plan.hpp"
#include "preflight/mail/envelope.hpp"
#include "preflight/mail/message.hpp"
#include "preflight/policy/evaluate.hpp"
#include "preflight/policy/policy.hpp"
#include "preflight/queue/notice.hpp"
#include "preflight/queue/smtp_client.hpp"
#include "preflight/queue/spool.hpp"
#include "preflight/store/store.hpp"
#include "preflight/util/spill_buffer.hpp"

namespace preflight::queue {

// The policy in force (its organisation decides what counts as internal when released mail is learned from).
using PolicySource = std::function<std::shared_ptr<const policy::Policy>()>;

struct QueueSettings {
  std::string spool_dir;
  SmtpTarget reinject;                        // the MTA listener without milters
  std::string notice_from = "preflight@localhost";
  int lease_seconds = 120;                    // how long a release attempt owns a message
  PolicySource policy;                        // may be empty (nothing is internal then)
  // A release that still has recipients to try after this many attempts, or this long after the decision
  // to send it, gives up: the message becomes `failed` (0: no limit of that kind).
  int max_release_attempts = 100;
  std::int64_t max_release_seconds = 86400;
  std::string admin_address = "postmaster@localhost";  // told, besides the sender, when a release gives up
  std::int64_t notice_retention_seconds = 30 * 86400;  // sent notices are deleted this long after sending
};

// Makes the URL of an action link ("approve", "reject", "cancel") for a held message and actor, valid
// until `expires_at`; empty when no web role is configured (notices then carry no links).
using LinkMaker = std::function<std::string(const std::string& id, const std::string& actor,
                                            const std::string& action, std::int64_t expires_at)>;
using Clock = std::function<std::int64_t()>;  // unix seconds

enum class Decision { Approve, Reject, Cancel, Release };
const char* decision_name(Decision d);

struct DecisionRequest {
  std::string id;
  Decision decision = Decision::Approve;
  std::string actor;    // who decides (an address, or "cli:USER")
  std::string address;  // from where (IP address, "localhost")
  std::string comment;
  bool admin = false;   // administrators may decide any message; others only as approver or sender
  bool bcc = false;     // approve only: deliver with To/Cc moved to Bcc (when the policy offered it)
};

class Queue {
 public:
  Queue(std::shared_ptr<store::Store> store, QueueSettings settings, LinkMaker links, Clock clock);

  // Creates the spool directories; reports spool files without a queue row and rows without a file
  // (nothing is deleted). Returns the problems found, one line each.
  util::Result<std::vector<std::string>> prepare_and_reconcile();

  // Store first: spool file durable, then the queue row committed; only then an id is returned. With a
  // budget, nothing is stored once its deadline has passed (checked before and after the spool write):
  // an error, and the caller tempfails.
  util::Result<std::string> hold(const action::HoldRequest& in);

  // Carries out a decision; returns the new state. Errors: unknown id, not allowed, already decided.
  util::Result<store::State> decide(const DecisionRequest& req);

  // One scheduler pass over due holds, expiries, escalations, releases and notices.
  void tick();
  // Re-injects every releasable message now (the release part of tick()); returns how many were sent.
  int release_ready();
  int send_notices();

  store::Store& store() { return *store_; }
  const Spool& spool() const { return spool_; }

 private:
  void notify_hold(const store::HeldMessage& m);
  // Puts a notice about `m` for `to` in the outbox; `actions` become signed links when it is sent.
  void notify(const store::HeldMessage& m, NoticeKind kind, const std::string& to, const std::string& comment,
              const std::vector<std::string>& actions);
  void release_due(const store::HeldMessage& m, std::int64_t now);
  NoticeInput notice_input(const store::HeldMessage& m, NoticeKind kind, const std::string& to,
                           const std::string& comment);
  // Stores a notice for sending: its data and the actions its links will offer until `links_until`.
  void enqueue(const NoticeInput& in, const std::vector<std::string>& actions = {}, std::int64_t links_until = 0);
  std::string notice_mail(const store::Notice& n) const;
  void expire(const store::HeldMessage& m, std::int64_t now);
  void return_expired(const store::HeldMessage& m, std::int64_t now);
  void return_stranded(std::int64_t now);
  void escalate(const store::HeldMessage& m, std::int64_t now);
  bool release_one(const store::HeldMessage& m);
  void finish_release(const store::HeldMessage& m, const nlohmann::json& delivery, bool gave_up, std::int64_t now);
  void learn(const store::HeldMessage& m, const std::string& raw, const std::vector<action::HeaderEdit>& edits,
             std::int64_t now);

  std::shared_ptr<store::Store> store_;
  QueueSettings settings_;
  Spool spool_;
  LinkMaker links_;
  Clock clock_;
};

// A held message's details (reasons, recipient marks, attachments, the Bcc option) as a JSON object;
// an empty object when they are not valid JSON.
nlohmann::json details_of(const store::HeldMessage& m);

// What became of each recipient of a held message so far (HeldMessage::delivery_json), an empty object
// before its first release attempt: address -> {"outcome": "sent"|"deferred"|"failed", "reply", "at"}.
nlohmann::json delivery_of(const store::HeldMessage& m);

// Resolves a hold spec's approvers for a sender: addresses as written, role:NAME from the organisation's
// roles, "supervisor" from the directory, "self" as the sender; each approver's delegate (directory) is
// added. Addresses are mailbox keys (mail::mailbox_key: lower-case, no +extension). The sender is never
// among them unless the rule says "self". When nobody is left, the organisation's approver_fallback role
// is asked; empty when that finds nobody either (hold() then refuses the mail, which the milter tempfails).
std::vector<std::string> resolve_approvers(const policy::HoldSpec& spec, const std::string& sender,
                                           const detect::Organisation& org);
// Each approver's load (store.hpp, ApproverLoad) over the last `days` days before `now`, as the object the
// CLI and the web API show: {"days": N, "approvers": [{"approver", "pending", "decided",
// "median_decision_seconds"}, ...]}; with a `scope` address, only that approver's entry (if any).
util::Result<nlohmann::json> approver_load_json(store::Store& st, std::int64_t now, int days,
                                                const std::string& scope);
// The deputies of these approvers (directory), for escalation.
std::vector<std::string> deputies_of(const std::vector<std::string>& approvers, const detect::Organisation& org);

}  // namespace preflight::queue
