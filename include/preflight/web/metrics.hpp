// Prometheus's /metrics for the web role: the process's metrics (util/metrics.hpp) in the text format,
// outside the approver UI's sign-in. Served on web.listen, or by a MetricsServer of its own on another
// address (metrics.listen); with a token, a scrape must send `Authorization: Bearer TOKEN` (compared in
// constant time), else it gets 401.
#pragma once
#include <memory>
#include <string>

#include "preflight/util/result.hpp"

namespace httplib {
class Server;
}

namespace preflight::web {

struct MetricsSettings {
  std::string host = "127.0.0.1";
  int port = 0;       // MetricsServer only; 0: any free port (tests)
  std::string token;  // empty: no token asked
};

// Adds GET /metrics to `svr`.
void install_metrics_route(httplib::Server& svr, const MetricsSettings& settings);

// /metrics alone, on its own address.
class MetricsServer {
 public:
  explicit MetricsServer(MetricsSettings settings);
  ~MetricsServer();  // stops
  util::Result<int> start();  // the bound port
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace preflight::web
