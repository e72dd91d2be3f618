// The `web` role: serves the pages behind action links. Opening a link (GET) only shows a confirmation
// page: mail security scanners open every link in a mail, so a GET never changes anything. The POST from
// that page changes state; it must carry the CSRF token the page set (cookie + hidden field, compared in
// constant time) and a valid, unexpired link token. Mail content is shown as escaped text, never as HTML.
// The server knows nothing about storage: it calls the handlers it is given. Given AppHandlers, it also
// serves the approver web queue and its JSON API (app.hpp, docs/web.md).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "preflight/util/result.hpp"
#include "preflight/web/app.hpp"
#include "preflight/web/link_token.hpp"
#include "preflight/web/metrics.hpp"

namespace preflight::web {

struct MessageSummary {
  std::string id, sender, subject, state;  // subject decoded UTF-8, untrusted
  std::vector<std::string> recipients;
  std::vector<std::string> reasons;        // human-readable rule descriptions
};

struct LinkDecision {
  LinkClaims claims;
  std::string comment;      // from the confirmation form, untrusted
  std::string remote_addr;  // the browser's address, for the audit trail
};

// Attachments a `detach` action sent as links (detach_routes.cpp, docs/web.md).
struct DetachedFileInfo {
  std::string id, filename, content_type, state;  // filename UTF-8, untrusted; state "active", "revoked", ...
  std::int64_t size = 0, expires_at = 0, downloads = 0;
};

struct DownloadRequest {
  std::string file_id;
  std::string remote_addr, user_agent;  // for the audit trail and the rate limit
};

struct DetachHandlers {
  // The file a download link names; nullopt when unknown.
  std::function<std::optional<DetachedFileInfo>(const std::string& file_id)> file;
  // Counts, audits and returns one download: the file's bytes, or the reason it is refused (revoked,
  // expired, limit reached, too many downloads a minute).
  std::function<util::Result<std::string>(const DownloadRequest&)> download;
  // The files of one mail (a revoke link's batch).
  std::function<std::vector<DetachedFileInfo>(const std::string& batch)> batch;
  // Revokes every active file of the batch (the files are deleted); returns how many were revoked.
  std::function<util::Result<std::size_t>(const std::string& batch, const std::string& actor,
                                          const std::string& remote_addr)>
      revoke;
  bool ready() const { return file && download && batch && revoke; }
};

struct LinkHandlers {
  // The held message a link refers to; nullopt when it does not exist.
  std::function<std::optional<MessageSummary>(const std::string& message_id)> summary;
  // Carries out a confirmed decision; returns the new state's name, or an error the page shows
  // (for example "already approved").
  std::function<util::Result<std::string>(const LinkDecision&)> decide;
  DetachHandlers detach;  // empty: no /file/ and /revoke/ routes
};

struct WebSettings {
  std::string host = "127.0.0.1";
  int port = 8025;  // 0: any free port (tests)
  std::string key;  // the HMAC key for link tokens; start() refuses an empty one
  bool secure_cookies = false;  // Secure cookies with the __Host- prefix; set when served over HTTPS (a proxy)
  // Reverse proxies (peer IP addresses) whose X-Forwarded-For names the client for rate limits and audit.
  std::vector<std::string> trusted_proxies;
  // GET /metrics on this server as well (outside sign-in; metrics.hpp).
  std::optional<MetricsSettings> metrics;
};

class WebServer {
 public:
  WebServer(WebSettings settings, LinkHandlers handlers);
  // With the approver web queue (sign-in, queue, message, dashboard, /api/) as well.
  WebServer(WebSettings settings, LinkHandlers handlers, AppHandlers app, AppSettings app_settings);
  ~WebServer();  // stops
  // Binds and serves in a background thread; returns an error when the address cannot be bound.
  util::Result<int> start();  // the bound port
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// HTML-escapes untrusted text (& < > " ').
std::string html_escape(std::string_view text);

}  // namespace preflight::web
