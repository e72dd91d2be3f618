// Store-backed context and recording of sent mail; see store_context.hpp.
#include "preflight/context/store_context.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <optional>

#include "preflight/detect/recipients.hpp"
#include "preflight/util/strings.hpp"

namespace preflight::context {

namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

std::vector<detect::KnownAddress> known(Pairs pairs) {
  std::vector<detect::KnownAddress> out;
  for (auto& [addr, name] : pairs) out.push_back({addr, name});
  return out;
}

std::string lower(const mail::Address& a) { return util::to_lower(a.local) + "@" + detect::normalise_domain(a.domain); }

}  // namespace

namespace {

// The known domains in the store, sorted; nullopt (and one warning) when the store fails.
std::optional<std::vector<std::string>> load_domains(store::Store& st) {
  auto orgs = st.known_org_domains(20000);
  auto hosts = orgs ? st.known_subdomains(20000) : util::Result<std::vector<std::string>>(util::Error{orgs.error()});
  if (!hosts) {
    spdlog::warn("context: known domains: {}", hosts.error());
    return std::nullopt;
  }
  orgs->insert(orgs->end(), hosts->begin(), hosts->end());
  std::sort(orgs->begin(), orgs->end());
  return std::move(*orgs);
}

// The domains of the addresses history gained after `mark` that `known` (sorted) lacks, sorted; nullopt when
// the store fails. Exact while `known` is below the 20,000-domain limit of a full load: every domain is in it.
std::optional<std::vector<std::string>> new_domains(store::Store& st, const std::vector<std::string>& known,
                                                    std::int64_t mark) {
  auto added = st.domains_since(mark);
  if (!added) {
    spdlog::warn("context: known domains: {}", added.error());
    return std::nullopt;
  }
  std::vector<std::string> out = std::move(*added);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  std::erase_if(out, [&](const std::string& d) { return std::binary_search(known.begin(), known.end(), d); });
  return out;
}

// What a refresh found: for an incremental one only the new domains, for a full one the whole list.
struct Refresh {
  bool read = false;                            // the store answered
  bool full = false;                            // `all` holds the whole sorted list (a full load that changed it)
  std::vector<std::string> all;
  std::vector<std::string> added;               // domains not known before, sorted
};

Refresh refresh(store::Store& st, const std::vector<std::string>& known, bool first, bool incremental,
                std::int64_t mark) {
  Refresh r;
  if (incremental) {
    auto fresh = new_domains(st, known, mark);
    r.read = fresh.has_value();
    if (fresh) r.added = std::move(*fresh);
    return r;
  }
  auto all = load_domains(st);
  r.read = all.has_value();
  if (!all || (!first && *all == known)) return r;
  std::set_difference(all->begin(), all->end(), known.begin(), known.end(), std::back_inserter(r.added));
  r.full = true;
  r.all = std::move(*all);
  return r;
}

}  // namespace

// Nothing is read while history gained no address (Store::history_mark, a few microseconds); then only the
// domains of the new addresses are read. New domains become a small index layered over the current one;
// the whole index is built again (most of a second for 20,000 domains) only after 64 layers or when the
// layers hold more than an eighth of the domains (at least 256).
std::shared_ptr<const detect::DomainIndex> DomainCache::get(store::Store& st, std::int64_t now) {
  std::unique_lock<std::mutex> lock(mu_);
  if (index_ && (refreshing_ || (read_ && now - loaded_at_ < 60))) return index_;  // never read: try again
  auto mark = st.history_mark();
  if (index_ && mark && *mark == mark_) {
    loaded_at_ = now;
    return index_;
  }
  refreshing_ = true;
  bool first = !index_;
  std::shared_ptr<const detect::DomainIndex> current = index_;
  if (!first) lock.unlock();  // the first load is waited for; later ones are not; only the refresher
                              // (refreshing_) touches domains_, layers_ and layered_
  bool incremental = !first && mark && mark_ >= 0 && domains_.size() < 20000;
  Refresh r = refresh(st, domains_, first, incremental, mark_);
  std::shared_ptr<const detect::DomainIndex> fresh;
  if (r.full) {
    domains_ = std::move(r.all);
  } else if (!r.added.empty()) {
    const auto middle = static_cast<std::ptrdiff_t>(domains_.size());
    domains_.insert(domains_.end(), r.added.begin(), r.added.end());
    std::inplace_merge(domains_.begin(), domains_.begin() + middle, domains_.end());
  }
  if (r.full || !r.added.empty()) {
    bool layer = incremental && current && layers_ < 64 &&
                 layered_ + r.added.size() <= std::max<std::size_t>(256, domains_.size() / 8);
    fresh = layer ? std::make_shared<const detect::DomainIndex>(current, r.added)
                  : std::make_shared<const detect::DomainIndex>(domains_);
    layers_ = layer ? layers_ + 1 : 0;
    layered_ = layer ? layered_ + r.added.size() : 0;
  }
  if (!lock.owns_lock()) lock.lock();
  if (fresh) index_ = std::move(fresh);
  if (r.read) {
    mark_ = mark ? *mark : -1;
    read_ = true;
  }
  if (!index_) index_ = std::make_shared<const detect::DomainIndex>();
  loaded_at_ = now;
  refreshing_ = false;
  return index_;
}

bool DomainCache::ever_read() {
  std::lock_guard<std::mutex> lock(mu_);
  return read_;
}

template <typename T>
T StoreContext::answer(util::Result<T> r, T fallback, const char* what) const {
  if (r) return std::move(*r);
  spdlog::warn("context: {}: {}", what, r.error());
  std::lock_guard<std::mutex> lock(mu_);
  failures_.push_back(std::string(what) + ": " + r.error());
  return fallback;
}

std::vector<std::string> StoreContext::failures() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failures_;
}

bool StoreContext::written_to_by_anyone(const std::string& address) const {
  return answer(store_->address_known(address), false, "address history");
}

StoreContext::StoreContext(std::shared_ptr<store::Store> st, std::shared_ptr<DomainCache> cache,
                           std::int64_t split_window, std::int64_t now, std::shared_ptr<KnownAddresses> addresses)
    : store_(std::move(st)), cache_(std::move(cache)), window_(split_window), now_(now),
      addresses_(std::move(addresses)) {}

// Both directions: mail the sender wrote to `address`, and (learn mode) mail that came in to the sender
// showing `address`. A customer's colleague added in Cc of their reply is not first-time.
std::int64_t StoreContext::sent_to(const std::string& sender, const std::string& address) const {
  auto h = answer(store_->history(sender, address), std::optional<store::HistoryEntry>{}, "history");
  auto in = answer(store_->received_from(sender, address), std::int64_t{0}, "received");
  return (h ? h->count : 0) + in;
}

std::int64_t StoreContext::sent_to_domain(const std::string& domain) const {
  return answer(store_->domain_count(domain), std::int64_t{0}, "domain history") +
         answer(store_->received_from_domain(domain), std::int64_t{0}, "received from domain");
}

std::shared_ptr<const detect::DomainIndex> StoreContext::known_domains() const {
  auto index = cache_->get(*store_, now_);
  if (!cache_->ever_read()) {  // an index that lags a while is fine; one that never saw the store is not
    std::lock_guard<std::mutex> lock(mu_);
    failures_.push_back("known domains: the store could not be read");
  }
  return index;
}

detect::KnownAddressList StoreContext::known_addresses_at(const std::string& domain) const {
  if (!addresses_)
    return std::make_shared<const std::vector<detect::KnownAddress>>(
        known(answer(store_->addresses_at(domain, 500), Pairs{}, "addresses at domain")));
  detect::KnownAddressList none = std::make_shared<const std::vector<detect::KnownAddress>>();
  return answer(addresses_->at(*store_, domain, 500), none, "addresses at domain");
}

std::vector<detect::KnownAddress> StoreContext::known_by_name(const std::string& display_name) const {
  return known(answer(store_->addresses_named(display_name, 50), Pairs{}, "addresses by name"));
}

std::vector<detect::ThreadRecord> StoreContext::threads(const std::vector<std::string>& ids) const {
  std::vector<detect::ThreadRecord> out;
  for (auto& t : answer(store_->threads(ids), std::vector<store::ThreadRow>{}, "threads"))
    out.push_back({t.message_id, t.from, t.visible, t.recipients});
  return out;
}

std::int64_t StoreContext::recently_exposed(const std::string& sender) const {
  return answer(store_->exposed_since(sender, now_ - window_), std::int64_t{0}, "exposure");
}

std::int64_t StoreContext::approvals(const std::string& sender, const std::string& org_domain,
                                     const std::string& rule_id, std::int64_t window_seconds) const {
  return answer(store_->approvals_since(sender, org_domain, rule_id, now_ - window_seconds), std::int64_t{0},
                       "approvals");
}

store::SentMail sent_mail(const mail::Envelope& env, const mail::Message& msg, const std::vector<mail::Address>& shown,
                          const detect::Organisation& org, std::int64_t now) {
  std::map<std::string, std::string> names;  // display names as the sender wrote them
  std::vector<std::string> visible;          // as the recipients saw them
  for (const char* h : {"From", "To", "Cc"})
    for (const auto& a : msg.addresses(h))
      if (!a.display_name.empty()) names[lower(a)] = a.display_name;
  for (const auto& a : msg.addresses("From")) visible.push_back(lower(a));
  for (const auto& a : shown) visible.push_back(lower(a));
  store::SentMail out;
  out.sender = util::to_lower(env.sender.addr());
  out.at = now;
  std::vector<std::string> rcpts;
  for (const auto& r : env.recipients) {
    std::string addr = lower(r);
    auto name = names.find(addr);
    out.to.push_back({addr, detect::organisational_domain(r.domain), name == names.end() ? "" : name->second});
    rcpts.push_back(std::move(addr));
  }
  if (!msg.message_id.empty())
    out.thread = store::ThreadRow{msg.message_id, out.sender, std::move(visible), std::move(rcpts), now};
  out.exposed = detect::exposed_external(shown, env.recipients, org);
  return out;
}

void record_sent(store::Store& st, const mail::Envelope& env, const mail::Message& msg,
                 const std::vector<mail::Address>& shown, const detect::Organisation& org, std::int64_t now) {
  if (auto ok = st.record_sent({sent_mail(env, msg, shown, org, now)}); !ok)
    spdlog::warn("history not recorded: {}", ok.error());
}

}  // namespace preflight::context
