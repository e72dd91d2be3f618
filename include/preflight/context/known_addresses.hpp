// The addresses the organisation has written to, per exact domain, kept in memory for the address-typo
// check: the same lists, in the same order, as Store::addresses_at (without display names), brought up to
// date on every read from the history rows added since the last one (Store::addresses_since; nothing is
// read when there are none). Exact, not periodic: a mail sees every address learned before it. A store
// error is the caller's to report (what was read so far is kept for the next read). Thread-safe.
#pragma once
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "preflight/detect/context.hpp"
#include "preflight/store/store.hpp"
#include "preflight/util/result.hpp"

namespace preflight::context {

class KnownAddresses {
 public:
  // The first `limit` addresses known at `domain` (lower-case), oldest first, without display names. The
  // list is shared, not copied, while it is within the limit: a domain's list is copied only when history
  // gains an address there while a reader still holds it.
  util::Result<detect::KnownAddressList> at(store::Store& st, const std::string& domain, std::size_t limit);

 private:
  std::string catch_up(store::Store& st);  // with mu_ held; the store's error, or empty

  std::mutex mu_;
  std::int64_t mark_ = 0;  // the last history row read
  std::unordered_map<std::string, std::shared_ptr<std::vector<detect::KnownAddress>>> by_domain_;
  std::unordered_set<std::string> known_;
};

}  // namespace preflight::context
