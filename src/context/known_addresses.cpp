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
    if (known_.insert(r.address).second) by_domain_[r.domain].push_back(std::move(r.address));
  }
  return {};
}

util::Result<std::vector<std::string>> KnownAddresses::at(store::Store& st, const std::string& domain,
                                                         std::size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  if (std::string error = catch_up(st); !error.empty()) return util::Error{error};
  auto it = by_domain_.find(util::to_lower(domain));
  if (it == by_domain_.end()) return std::vector<std::string>{};
  const auto& all = it->second;
  return std::vector<std::string>(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(std::min(limit, all.size())));
}

}  // namespace preflight::context
