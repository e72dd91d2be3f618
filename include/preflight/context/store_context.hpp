// The store-backed detector context, and the recording of mail that left (history with display names,
// thread records, To/Cc exposure). A store failure never stops mail here: queries answer "nothing known"
// and log one warning. Thread-safe.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>

#include "preflight/detect/context.hpp"
#include "preflight/detect/organisation.hpp"
#include "preflight/mail/envelope.hpp"
#include "preflight/mail/message.hpp"
#include "preflight/store/store.hpp"

namespace preflight::context {

// Known organisational domains, read from the store at most once a minute.
class DomainCache {
 public:
  std::vector<std::string> get(store::Store& st, std::int64_t now);

 private:
  std::mutex mu_;
  std::vector<std::string> domains_;
  std::int64_t loaded_at_ = -1;
};

class StoreContext final : public detect::Context {
 public:
  // `split_window` and `now` bound recently_exposed(), `now` approvals(); make one per message (a few pointers).
  StoreContext(std::shared_ptr<store::Store> st, std::shared_ptr<DomainCache> cache, std::int64_t split_window,
               std::int64_t now);

  std::int64_t sent_to(const std::string& sender, const std::string& address) const override;
  std::int64_t sent_to_domain(const std::string& domain) const override;
  std::vector<std::string> known_domains() const override;
  std::vector<detect::KnownAddress> known_addresses_at(const std::string& domain) const override;
  std::vector<detect::KnownAddress> known_by_name(const std::string& display_name) const override;
  std::vector<detect::ThreadRecord> threads(const std::vector<std::string>& message_ids) const override;
  std::int64_t recently_exposed(const std::string& sender) const override;
  std::int64_t approvals(const std::string& sender, const std::string& org_domain, const std::string& rule_id,
                         std::int64_t window_seconds) const override;

 private:
  std::shared_ptr<store::Store> store_;
  std::shared_ptr<DomainCache> cache_;
  std::int64_t window_, now_;
};

// Mail left the gateway (accepted, or released from the queue): learn from it.
void record_sent(store::Store& st, const mail::Envelope& env, const mail::Message& msg,
                 const detect::Organisation& org, std::int64_t now);

}  // namespace preflight::context
