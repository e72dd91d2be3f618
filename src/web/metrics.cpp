// /metrics; see metrics.hpp.
#include "preflight/web/metrics.hpp"

#include <httplib.h>
#include <openssl/crypto.h>

#include <atomic>
#include <thread>

#include "listen.hpp"
#include "preflight/util/metrics.hpp"

namespace preflight::web {

namespace {

bool token_matches(const httplib::Request& req, const std::string& token) {
  if (token.empty()) return true;
  const std::string expected = "Bearer " + token;
  const std::string given = req.get_header_value("Authorization");
  return given.size() == expected.size() && CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
}

}  // namespace

void install_metrics_route(httplib::Server& svr, const MetricsSettings& settings) {
  svr.Get("/metrics", [token = settings.token](const httplib::Request& req, httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    if (!token_matches(req, token)) {
      res.status = 401;
      res.set_header("WWW-Authenticate", "Bearer realm=\"preflight metrics\"");
      res.set_content("a bearer token is required\n", "text/plain; charset=utf-8");
      return;
    }
    res.set_content(util::metrics::exposition(), "text/plain; version=0.0.4; charset=utf-8");
  });
}

struct MetricsServer::Impl {
  MetricsSettings settings;
  httplib::Server svr;
  std::thread thread;
  std::atomic<bool> listen_returned{false};
};

MetricsServer::MetricsServer(MetricsSettings settings) : impl_(std::make_unique<Impl>()) {
  impl_->settings = std::move(settings);
  install_metrics_route(impl_->svr, impl_->settings);
}

MetricsServer::~MetricsServer() { stop(); }

util::Result<int> MetricsServer::start() {
  Impl& im = *impl_;
  auto port = listen_in_thread(im.svr, im.settings.host, im.settings.port, im.thread, im.listen_returned);
  if (!port) return util::Error{"metrics: " + port.error()};
  return port;
}

void MetricsServer::stop() {
  if (!impl_->thread.joinable()) return;
  impl_->svr.stop();
  impl_->thread.join();
}

}  // namespace preflight::web
