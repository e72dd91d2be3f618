// The compiled policy: the organisation and an ordered list of rules, built once from YAML
// (compile.hpp) and then shared read-only by every transaction (std::shared_ptr<const Policy>).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "preflight/detect/facts.hpp"
#include "preflight/detect/organisation.hpp"

namespace preflight::policy {

// Ordered by strength: when several rules match, the strongest enforced action wins.
enum class Action { Accept, Tag, Bcc, Detach, Hold, Approve, Reject };
enum class Mode { Enforce, Monitor };
enum class BccScope { External, All };

const char* action_name(Action a);
const char* mode_name(Mode m);

struct Location {
  std::string file;
  int line = 0;    // 1-based
  int column = 0;  // 1-based
  std::string str() const { return file + ":" + std::to_string(line) + ":" + std::to_string(column); }
};

enum class Op { Truthy, Eq, Ne, Lt, Le, Gt, Ge, Contains, Matches };

// A condition tree: leaves compare one fact with a literal; All/Any/Not combine.
struct Condition {
  enum class Kind { Compare, All, Any, Not } kind = Kind::Compare;
  std::string fact;
  Op op = Op::Truthy;
  detect::FactValue literal;
  std::vector<Condition> children;
  std::string text;  // the source text of a leaf, for reasons
};

struct SenderScope {
  std::vector<std::string> senders;  // globs over the envelope sender
  std::vector<std::string> groups;   // organisation group names
  bool empty() const { return senders.empty() && groups.empty(); }
};

// hold / approve: how long, who decides, what happens when nobody does.
struct HoldSpec {
  std::int64_t delay_seconds = 0;       // hold: released by itself after this
  std::vector<std::string> approvers;   // approve: addresses, "role:NAME", "supervisor", "self"
  std::int64_t expire_seconds = 86400;  // approve: nobody decided in time
  bool release_on_expiry = false;       // approve: false = return to sender, true = release
  std::int64_t escalate_seconds = 0;    // approve: after this the approvers' deputies are asked too (0: never)
  bool bcc = false;                     // deliver as Bcc once released
  bool allow_bcc = false;               // approve: an approver may choose to deliver it as Bcc instead
  BccScope allow_bcc_scope = BccScope::External;  // which addresses that choice takes out of To/Cc
  bool waivable = true;                 // approve: approval fatigue may turn a repeat into a short hold
  bool detach = false;                  // attachments leave as download links once released
};

struct ActionSpec {
  Action type = Action::Accept;
  HoldSpec hold;                        // hold / approve
  BccScope scope = BccScope::External;  // bcc (and hold/approve with bcc): which addresses leave To/Cc
  std::string tag;                      // tag: value of the X-Preflight-Tag header
  std::string subject_prefix;           // tag: optional prefix for the Subject
  std::string reject_text;              // reject: text the sender sees after 550 5.7.1
};

struct Rule {
  std::string id;
  std::string description;
  std::optional<Condition> when;  // absent: always
  SenderScope applies_to;         // empty: every sender
  SenderScope except_senders;
  std::optional<Condition> except_when;
  Mode mode = Mode::Enforce;
  ActionSpec action;
  Location where;
};

// organisation.approval_fatigue: when approvers have approved the same sender, recipient domain and rule
// `after` times within `window_seconds`, the next approval that rule asks is waived: the mail is held for
// `delay_seconds` instead (the sender can still cancel it). after = 0 turns it off.
struct ApprovalFatigue {
  std::int64_t after = 3;
  std::int64_t window_seconds = 30 * 86400;
  std::int64_t delay_seconds = 300;
};

// The policy's `detach:` section: how attachments that a `detach` action removes are kept and served.
struct DetachSettings {
  std::int64_t expire_seconds = 7 * 86400;        // a download link's life; the file is deleted then
  std::int64_t max_file_bytes = 100ll << 20;      // a larger attachment refuses the mail (550)
  std::int64_t max_total_bytes = 200ll << 20;     // the same for all of one mail's attachments together
  std::int64_t max_downloads = 20;                // downloads per file (0: no limit)
  std::int64_t downloads_per_minute = 5;          // per link, whoever asks
  std::vector<std::string> except_domains;        // recipient domains (and their subdomains) that keep
                                                  // attachments: partners who cannot take links
};

struct Policy {
  detect::Organisation organisation;
  ApprovalFatigue approval_fatigue;
  DetachSettings detach;
  std::vector<Rule> rules;
  std::vector<std::string> files;
};

}  // namespace preflight::policy
