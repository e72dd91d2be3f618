// The store's gauges for /metrics (held mail by state, the oldest held mail's age, the outbox's depth) and
// the web role's metrics endpoint; see services.hpp.
#include <spdlog/spdlog.h>

#include "preflight/queue/scheduler.hpp"
#include "preflight/util/metrics.hpp"
#include "services.hpp"

namespace preflight::daemon {

namespace {

constexpr store::State kStates[] = {store::State::Held,     store::State::Approved, store::State::Rejected,
                                    store::State::Cancelled, store::State::Expired,  store::State::Released,
                                    store::State::Returned,  store::State::Failed};
constexpr int kOutboxLimit = 1000000;  // more unsent notices than this read as this many

template <typename T>
T must(util::Result<T> r) {
  if (!r) throw std::runtime_error(r.error());  // the registry counts it as a collector error
  return std::move(*r);
}

std::vector<util::metrics::Sample> store_gauges(store::Store& store, std::int64_t now) {
  std::vector<util::metrics::Sample> out;
  for (store::State s : kStates) {
    store::HeldQuery q;
    q.state = s;
    out.push_back({"preflight_held_messages", {{"state", store::state_name(s)}}, double(must(store.count(q)))});
  }
  store::HeldQuery oldest;
  oldest.state = store::State::Held;
  oldest.descending = false;
  oldest.limit = 1;
  auto held = must(store.search(oldest));
  out.push_back({"preflight_oldest_held_age_seconds", {}, held.empty() ? 0.0 : double(now - held[0].created_at)});
  auto outbox = must(store.pending_notices(kOutboxLimit, now - queue::kNoticeLifetime));
  out.push_back({"preflight_outbox_notices", {}, double(outbox.size())});
  return out;
}

}  // namespace

std::string Services::start_metrics(web::WebSettings& ws) {
  gauges_ = util::metrics::add_collector([store = store_] { return store_gauges(*store, now_seconds()); });
  const MetricsConfig& m = config_.metrics;
  if (m.port == 0) {
    ws.metrics = web::MetricsSettings{config_.web.host, config_.web.port, m.token};
    return {};
  }
  metrics_ = std::make_unique<web::MetricsServer>(web::MetricsSettings{m.host, m.port, m.token});
  auto port = metrics_->start();
  if (!port) return port.error();
  spdlog::info("metrics listening on {}:{}/metrics", m.host, *port);
  return {};
}

}  // namespace preflight::daemon
