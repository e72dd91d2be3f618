// The store-backed detector context, and the recording of mail that left (history with display names,
// thread records, To/Cc exposure). sent_to and sent_to_domain count both directions: history and the
// correspondents learned from mail that came in (received.hpp); known domains and addresses are history
// only. A store read failure answers "nothing known", logs one warning and is listed in failures(), which
// the engine turns into context.degraded (by default a tempfail): a rule never mistakes it for a first-time
// recipient. Thread-safe.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "preflight/context/known_addresses.hpp"
#include "preflight/detect/context.hpp"
#include "preflight/detect/organisation.hpp"
#include "preflight/mail/envelope.hpp"
#include "preflight/mail/message.hpp"
#include "preflight/store/store.hpp"

namespace preflight::context {

// Known domains (up to 20,000 organisational domains and 20,000 hosts below them), read from the store and
// indexed at most once a minute. While one caller rebuilds the index the others keep the previous one; a
// store error keeps it too.
class DomainCache {
 public:
  std::shared_ptr<const detect::DomainIndex> get(store::Store& st, std::int64_t now);
  // Whether the known domains were ever read: before that, get() gives an empty index that knows nothing.
  bool ever_read();

 private:
  std::mutex mu_;
  std::shared_ptr<const detect::DomainIndex> index_;
  std::vector<std::string> domains_;  // what index_ knows, sorted
  // index_ is an index built from all the domains known then, under `layers_` layers (most recent on top)
  // of the `layered_` domains added since; the whole index is built again when they grow too many.
  std::size_t layers_ = 0;
  std::size_t layered_ = 0;
  std::int64_t mark_ = -1;            // Store::history_mark() when domains_ was read
  std::int64_t loaded_at_ = -1;
  bool refreshing_ = false;
  bool read_ = false;                 // a load (or refresh) succeeded once
};

class StoreContext final : public detect::Context {
 public:
  // `split_window` and `now` bound recently_exposed(), `now` approvals(); make one per message (a few pointers).
  // With `addresses`, known_addresses_at() answers from it (addresses only, no display names), else from
  // the store; share one between the messages of a store.
  StoreContext(std::shared_ptr<store::Store> st, std::shared_ptr<DomainCache> cache, std::int64_t split_window,
               std::int64_t now, std::shared_ptr<KnownAddresses> addresses = nullptr);

  std::int64_t sent_to(const std::string& sender, const std::string& address) const override;
  std::int64_t sent_to_domain(const std::string& domain) const override;
  std::shared_ptr<const detect::DomainIndex> known_domains() const override;
  bool written_to_by_anyone(const std::string& address) const override;
  detect::KnownAddressList known_addresses_at(const std::string& domain) const override;
  std::vector<detect::KnownAddress> known_by_name(const std::string& display_name) const override;
  std::vector<detect::ThreadRecord> threads(const std::vector<std::string>& message_ids) const override;
  std::int64_t recently_exposed(const std::string& sender) const override;
  std::int64_t approvals(const std::string& sender, const std::string& org_domain, const std::string& rule_id,
                         std::int64_t window_seconds) const override;
  std::vector<std::string> failures() const override;

 private:
  // The value of a look-up, or `fallback` with the failure noted (and logged).
  template <typename T>
  T answer(util::Result<T> r, T fallback, const char* what) const;

  std::shared_ptr<store::Store> store_;
  std::shared_ptr<DomainCache> cache_;
  std::int64_t window_, now_;
  mutable std::mutex mu_;
  mutable std::vector<std::string> failures_;
  std::shared_ptr<KnownAddresses> addresses_;
};

// Mail left the gateway (accepted, or released from the queue): learn from it. `msg` is the mail as
// written (display names come from it); `shown` is what its To and Cc showed as it left, after
// preflight's own header edits (action::shown_to_cc of the edits applied). Exposure is counted on
// `shown` (detect::exposed_external): a mail rewritten to Bcc exposed nobody. The thread record's
// visible addresses are From plus `shown`.
void record_sent(store::Store& st, const mail::Envelope& env, const mail::Message& msg,
                 const std::vector<mail::Address>& shown, const detect::Organisation& org, std::int64_t now);
// What record_sent writes, for a writer that writes many mails at once (HistoryWriter).
store::SentMail sent_mail(const mail::Envelope& env, const mail::Message& msg, const std::vector<mail::Address>& shown,
                          const detect::Organisation& org, std::int64_t now);

}  // namespace preflight::context
