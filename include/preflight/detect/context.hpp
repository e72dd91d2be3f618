// Read-only context for detectors: what the organisation has sent before (history), who it knows
// (partners), the threads it has seen, recent exposure per sender, and past approvals (read after the
// policy, for approval fatigue). Detectors stay pure functions of
// (message, context); the store-backed implementation lives outside detect/ (context module), and
// NoContext stands in where there is no store (a dry run without history).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "preflight/detect/lookalike.hpp"

namespace preflight::detect {

struct KnownAddress {
  std::string address;       // lower-case
  std::string display_name;  // as last seen, may be empty
};
// A list of known addresses shared with whoever keeps it (a cache), never null and never changed.
using KnownAddressList = std::shared_ptr<const std::vector<KnownAddress>>;

// A message seen by the gateway, remembered for replies to it.
struct ThreadRecord {
  std::string message_id;
  std::string from;
  std::vector<std::string> visible;     // From, To and Cc addresses (lower-case)
  std::vector<std::string> recipients;  // envelope recipients (Bcc'd ones are here but not in `visible`)
};

class Context {
 public:
  virtual ~Context() = default;
  // Times `sender` sent mail that left to `address`, plus (learn mode) mail that came in to `sender`
  // showing `address` in From/To/Cc (0: never corresponded).
  virtual std::int64_t sent_to(const std::string& sender, const std::string& address) const = 0;
  // Times anyone in the organisation sent to this domain, or received mail showing it (organisational
  // domain, lower-case).
  virtual std::int64_t sent_to_domain(const std::string& domain) const = 0;
  // Domains known from history (organisational domains and the hosts under them), indexed for look-alike
  // checks; never null. The index may lag history by a while: sent_to_domain() is the fresh answer.
  virtual std::shared_ptr<const DomainIndex> known_domains() const = 0;
  // Addresses the organisation has sent to at this exact domain.
  virtual KnownAddressList known_addresses_at(const std::string& domain) const = 0;
  // Addresses seen with this display name (NFKC, case-insensitive), any domain.
  virtual std::vector<KnownAddress> known_by_name(const std::string& display_name) const = 0;
  // Messages with these ids the gateway has seen (for In-Reply-To / References).
  virtual std::vector<ThreadRecord> threads(const std::vector<std::string>& message_ids) const = 0;
  // External addresses this sender exposed to each other in To/Cc during the split-mailing window.
  virtual std::int64_t recently_exposed(const std::string& sender) const = 0;
  // Times approvers approved mail from `sender` to this organisational domain that `rule_id` held for
  // approval, within the last `window_seconds` (approval fatigue). Not pure: a context without a store of
  // approvals (a test double) knows none.
  virtual std::int64_t approvals(const std::string& /*sender*/, const std::string& /*org_domain*/,
                                 const std::string& /*rule_id*/, std::int64_t /*window_seconds*/) const {
    return 0;
  }
  // Whether anyone in the organisation has written to this address (lower-case). The default looks through
  // known_addresses_at (a bounded list); a store answers it exactly from an index.
  virtual bool written_to_by_anyone(const std::string& address) const;
  // Every look-up above that could not be answered (a store read error), in order, e.g. "history: disk I/O
  // error". Such a look-up answers "nothing known", which a rule must never mistake for a first-time
  // recipient: the engine turns a non-empty list into context.degraded (and by default a tempfail).
  virtual std::vector<std::string> failures() const { return {}; }
};

// No history, no partners, no threads: everything is first-time and nothing is a look-alike of anything.
class NoContext final : public Context {
 public:
  std::int64_t sent_to(const std::string&, const std::string&) const override { return 0; }
  std::int64_t sent_to_domain(const std::string&) const override { return 0; }
  std::shared_ptr<const DomainIndex> known_domains() const override {
    static const auto none = std::make_shared<const DomainIndex>();
    return none;
  }
  KnownAddressList known_addresses_at(const std::string&) const override {
    return std::make_shared<const std::vector<KnownAddress>>();
  }
  std::vector<KnownAddress> known_by_name(const std::string&) const override { return {}; }
  std::vector<ThreadRecord> threads(const std::vector<std::string>&) const override { return {}; }
  std::int64_t recently_exposed(const std::string&) const override { return 0; }
  std::int64_t approvals(const std::string&, const std::string&, const std::string&, std::int64_t) const override {
    return 0;
  }
};

}  // namespace preflight::detect
