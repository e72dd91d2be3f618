// Known addresses per domain in memory; see known_addresses.hpp.
#include "preflight/context/known_addresses.hpp"

#include <algorithm>

#include "preflight/util/strings.hpp"

namespace preflight::context {

std::string KnownAddresses::catch_up(store::Store& st) {
  auto rows = st.addresses_since(mark_);
  if (!rows) return rows.error();
  for (auto& r : *rows) {
    mark_ = std::max(mark_, r.mark);
    if (!known_.insert(r.address).second) continue;
    auto& list = by_domain_[r.domain];
    if (!list)
      list = std::make_shared<std::vector<detect::KnownAddress>>();
    else if (list.use_count() > 1)  // a reader holds it: it keeps what it read
      list = std::make_shared<std::vector<detect::KnownAddress>>(*list);
    list->push_back({std::move(r.address), {}});
  }
  return {};
}

util::Result<detect::KnownAddressList> KnownAddresses::at(store::Store& st, const std::string& domain,
                                                          std::size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  if (std::string error = catch_up(st); !error.empty()) return util::Error{error};
  auto it = by_domain_.find(util::to_lower(domain));
  if (it == by_domain_.end()) return detect::KnownAddressList(std::make_shared<const std::vector<detect::KnownAddress>>());
  const auto& all = *it->second;
  if (all.size() <= limit) return detect::KnownAddressList(it->second);
  return detect::KnownAddressList(std::make_shared<const std::vector<detect::KnownAddress>>(
      all.begin(), all.begin() + static_cast<std::ptrdiff_t>(limit)));
}

}  // namespace preflight::context
