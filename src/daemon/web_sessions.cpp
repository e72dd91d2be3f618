// Web sessions kept in the store; see web_sessions.hpp.
#include "preflight/daemon/web_sessions.hpp"

#include <spdlog/spdlog.h>

namespace preflight::daemon {

namespace {

store::WebSession to_row(const web::SessionRecord& r) {
  return {r.key, r.user, r.csrf, r.expires_at, r.created_at};
}

web::SessionRecord from_row(const store::WebSession& w) {
  return {w.key, w.user, w.csrf, w.expires_at, w.created_at};
}

}  // namespace

web::SessionBackend session_backend(std::shared_ptr<store::Store> store) {
  web::SessionBackend b;
  b.save = [store](const web::SessionRecord& r) {
    auto ok = store->put_session(to_row(r));
    if (!ok) spdlog::warn("web session not saved (it ends at the next restart): {}", ok.error());
    return ok.ok();
  };
  b.load = [store](const std::string& key) -> std::optional<web::SessionRecord> {
    auto row = store->find_session(key);
    if (!row) spdlog::warn("web session not read: {}", row.error());
    if (!row || !row->has_value()) return std::nullopt;
    return from_row(**row);
  };
  b.remove = [store](const std::string& key) {
    if (auto ok = store->remove_session(key); !ok) spdlog::error("web session not removed: {}", ok.error());
  };
  b.purge = [store](std::int64_t now) {
    if (auto n = store->purge_sessions(now); !n) spdlog::warn("expired web sessions not purged: {}", n.error());
  };
  return b;
}

}  // namespace preflight::daemon
