// The daemon configuration (preflight.yaml): roles, milter socket, state directory, policy files,
// logging. Relative paths are resolved against the configuration file's directory. Errors carry
// file:line:column like policy errors.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "preflight/milter/milter.hpp"
#include "preflight/policy/compile.hpp"
#include "preflight/queue/smtp_client.hpp"

namespace preflight::daemon {

struct QueueConfig {
  // The MTA listener without milters: unix:/path or host:port; by default Postfix's unix socket from
  // packaging/postfix/master.cf.snippet.
  queue::SmtpTarget reinject = [] {
    queue::SmtpTarget t;
    t.socket = "/var/spool/postfix/public/preflight-reinject";
    return t;
  }();
  std::string notice_from = "preflight@localhost";
  double interval_seconds = 5;                 // scheduler pass interval
  int lease_seconds = 120;                     // a release attempt's hold on a message
  int max_release_attempts = 100;              // then a release with recipients left gives up (0: no limit)
  std::int64_t max_release_seconds = 86400;    // the same, counted from the decision to send (0: no limit)
  std::string admin_address = "postmaster@localhost";  // told when a release gives up
  std::int64_t notice_retention_seconds = 30 * 86400;  // sent notices are deleted this long after sending
};

struct WebConfig {
  std::string host = "127.0.0.1";
  int port = 8025;
  std::string base_url = "http://127.0.0.1:8025";  // how approvers' browsers reach the web role
  std::int64_t link_ttl_seconds = 7 * 86400;       // upper bound of an action link's life
  bool secure_cookies = false;                     // Secure cookies: set when browsers reach it over HTTPS
  std::string trust_proxy_header;                  // e.g. X-Remote-User from an SSO proxy; empty: off
  std::string trust_proxy_secret;                  // the proxy proves itself with X-Preflight-Proxy-Secret
  std::vector<std::string> trusted_proxies;        // peers whose X-Forwarded-For names the client
  std::int64_t session_idle_seconds = 8 * 3600;    // a web session ends after this long unused
};

// The web role's /metrics: on web.listen unless port is set (metrics.listen: another address); with a
// token (metrics.token_file) a scrape must send it as a bearer token.
struct MetricsConfig {
  std::string host;
  int port = 0;  // 0: served on web.listen
  std::string token;
};

struct Config {
  std::string path;                   // the file read
  std::vector<std::string> roles = {"milter", "web", "scheduler"};
  milter::Settings milter;
  QueueConfig queue;
  WebConfig web;
  MetricsConfig metrics;
  std::string state_dir;              // spill files, the spool, the SQLite store, the link key
  std::vector<std::string> policies;  // policy files, compiled in order
  std::string log_level = "info";     // trace, debug, info, warn, error
  std::string log_file;               // empty: standard error
  std::string log_format = "text";    // text (key=value words) or json (one object per line)
  bool log_syslog = false;            // also to syslog, facility mail
};

struct ConfigResult {
  Config config;
  std::vector<policy::PolicyError> errors;
};

ConfigResult load_config(const std::string& path);

bool has_role(const Config& c, const std::string& role);

}  // namespace preflight::daemon
