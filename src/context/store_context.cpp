// Store-backed context and recording of sent mail; see store_context.hpp.
#include "preflight/context/store_context.hpp"

#include <spdlog/spdlog.h>

#include <map>
#include <set>

#include "preflight/util/strings.hpp"

namespace preflight::context {

namespace {

template <typename T>
T value_or_warn(util::Result<T> r, T fallback, const char* what) {
  if (r) return std::move(*r);
  spdlog::warn("context: {}: {}", what, r.error());
  return fallback;
}

std::vector<detect::KnownAddress> known(util::Result<std::vector<std::pair<std::string, std::string>>> r,
                                        const char* what) {
  std::vector<detect::KnownAddress> out;
  for (auto& [addr, name] : value_or_warn(std::move(r), {}, what)) out.push_back({addr, name});
  return out;
}

std::string lower(const mail::Address& a) { return util::to_lower(a.local) + "@" + detect::normalise_domain(a.domain); }

}  // namespace

std::vector<std::string> DomainCache::get(store::Store& st, std::int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (loaded_at_ < 0 || now - loaded_at_ >= 60) {
    domains_ = value_or_warn(st.known_org_domains(20000), domains_, "known domains");
    loaded_at_ = now;
  }
  return domains_;
}

StoreContext::StoreContext(std::shared_ptr<store::Store> st, std::shared_ptr<DomainCache> cache,
                           std::int64_t split_window, std::int64_t now)
    : store_(std::move(st)), cache_(std::move(cache)), window_(split_window), now_(now) {}

std::int64_t StoreContext::sent_to(const std::string& sender, const std::string& address) const {
  auto h = value_or_warn(store_->history(sender, address), std::optional<store::HistoryEntry>{}, "history");
  return h ? h->count : 0;
}

std::int64_t StoreContext::sent_to_domain(const std::string& domain) const {
  return value_or_warn(store_->domain_count(domain), std::int64_t{0}, "domain history");
}

std::vector<std::string> StoreContext::known_domains() const { return cache_->get(*store_, now_); }

std::vector<detect::KnownAddress> StoreContext::known_addresses_at(const std::string& domain) const {
  return known(store_->addresses_at(domain, 500), "addresses at domain");
}

std::vector<detect::KnownAddress> StoreContext::known_by_name(const std::string& display_name) const {
  return known(store_->addresses_named(display_name, 50), "addresses by name");
}

std::vector<detect::ThreadRecord> StoreContext::threads(const std::vector<std::string>& ids) const {
  std::vector<detect::ThreadRecord> out;
  for (auto& t : value_or_warn(store_->threads(ids), {}, "threads"))
    out.push_back({t.message_id, t.from, t.visible, t.recipients});
  return out;
}

std::int64_t StoreContext::recently_exposed(const std::string& sender) const {
  return value_or_warn(store_->exposed_since(sender, now_ - window_), std::int64_t{0}, "exposure");
}

std::int64_t StoreContext::approvals(const std::string& sender, const std::string& org_domain,
                                     const std::string& rule_id, std::int64_t window_seconds) const {
  return value_or_warn(store_->approvals_since(sender, org_domain, rule_id, now_ - window_seconds), std::int64_t{0},
                       "approvals");
}

void record_sent(store::Store& st, const mail::Envelope& env, const mail::Message& msg,
                 const detect::Organisation& org, std::int64_t now) {
  std::map<std::string, std::string> names;  // display names as written in the headers
  std::vector<std::string> visible;
  std::set<std::string> exposed;
  for (const char* h : {"From", "To", "Cc"})
    for (const auto& a : msg.addresses(h)) {
      visible.push_back(lower(a));
      if (!a.display_name.empty()) names[lower(a)] = a.display_name;
      if (std::string(h) != "From" && !a.domain.empty() && !org.is_internal(a.domain)) exposed.insert(lower(a));
    }
  std::vector<store::DeliveredTo> to;
  std::vector<std::string> rcpts;
  for (const auto& r : env.recipients) {
    rcpts.push_back(lower(r));
    to.push_back({lower(r), detect::organisational_domain(r.domain), names[lower(r)]});
  }
  std::string sender = util::to_lower(env.sender.addr());
  if (auto ok = st.record_delivery(sender, to, now); !ok) spdlog::warn("history not recorded: {}", ok.error());
  if (!msg.message_id.empty()) st.record_thread({msg.message_id, sender, visible, rcpts, now});
  if (!exposed.empty()) st.record_exposure(sender, static_cast<std::int64_t>(exposed.size()), now);
}

}  // namespace preflight::context
