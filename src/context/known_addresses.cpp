// Known addresses per domain in memory; see known_addresses.hpp.
#include "preflight/context/known_addresses.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "preflight/util/strings.hpp"

namespace preflight::context {

void KnownAddresses::catch_up(store::Store& st) {
  auto rows = st.addresses_since(mark_);
  if (!rows) return spdlog::warn("context: known addresses: {}", rows.error());
  for (auto& r : *rows) {
    mark_ = std::max(mark_, r.mark);
    if (known_.insert(r.address).second) by_domain_[r.domain].push_back(std::move(r.address));
  }
}

std::vector<std::string> KnownAddresses::at(store::Store& st, const std::string& domain, std::size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  catch_up(st);
  auto it = by_domain_.find(util::to_lower(domain));
  if (it == by_domain_.end()) return {};
  const auto& all = it->second;
  return std::vector<std::string>(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(std::min(limit, all.size())));
}

}  // namespace preflight::context
