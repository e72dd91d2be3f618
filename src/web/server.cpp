// The action-link web server; see server.hpp. Contract: GET /link/<token> verifies the token and shows a
// confirmation page (never calling decide); POST /link/<token> verifies the token again, checks the CSRF
// cookie against the form field in constant time, then calls decide. Every response is HTML with
// no-store caching, no referrer (the token is in the URL) and a CSP that allows no script at all.
// With AppHandlers the web queue's routes (app_routes.hpp) are served too; they keep those headers but set
// their own CSP, which allows the one script and style sheet this server serves and nothing else.
// Handlers run on cpp-httplib's worker threads, so LinkHandlers must be thread-safe.
#include "preflight/web/server.hpp"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "app_routes.hpp"
#include "detach_routes.hpp"
#include "listen.hpp"
#include "pages.hpp"
#include "request_origin.hpp"
#include "preflight/web/sessions.hpp"

namespace preflight::web {

namespace {

// cpp-httplib already refuses URL-encoded forms over 8 KiB (a compile-time constant of the library);
// the same bound applies to any other body. A Japanese character is 9 bytes once URL-encoded, so the
// form's 800-character textarea fits.
constexpr std::size_t kMaxBody = 8192;
constexpr std::size_t kMaxComment = 2400;  // bytes: 800 characters of Japanese text
constexpr std::size_t kCsrfBytes = 32;
constexpr std::string_view kCsrfCookie = "pf_csrf";
constexpr const char* kHtml = "text/html; charset=utf-8";

httplib::Headers security_headers() {
  return {
      {"Cache-Control", "no-store"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Content-Security-Policy",
       "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"},
  };
}

void reply(httplib::Response& res, int status, const std::string& html) {
  res.status = status;
  res.set_content(html, kHtml);
}

bool is_csrf_value(std::string_view v) {
  if (v.size() != kCsrfBytes * 2) return false;
  for (char c : v)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}




}  // namespace

struct WebServer::Impl {
  WebSettings settings;
  LinkHandlers handlers;
  std::unique_ptr<AppRoutes> app;  // the web queue, when AppHandlers were given
  std::unique_ptr<DetachRoutes> detach;  // detached attachments, when DetachHandlers were given
  httplib::Server svr;
  std::thread thread;
  std::atomic<bool> listen_returned{false};

  Impl(WebSettings s, LinkHandlers h) : settings(std::move(s)), handlers(std::move(h)) {}

  void install_routes();
  void on_get(const httplib::Request& req, httplib::Response& res);
  void on_post(const httplib::Request& req, httplib::Response& res);
  // Verifies the token in the path; on failure writes the 403 page and returns nullopt.
  std::optional<LinkClaims> verified(const httplib::Request& req, httplib::Response& res) const;
  std::string csrf_cookie_header(const std::string& value) const;
  std::string csrf_cookie_name() const;
};

std::optional<LinkClaims> WebServer::Impl::verified(const httplib::Request& req,
                                                    httplib::Response& res) const {
  auto claims = verify_link(req.matches[1].str(), settings.key, unix_now());
  // Tokens of detached attachments (download, form, revoke) never decide about a held message.
  if (claims && claims->action >= LinkAction::Download) claims = util::Error{"malformed link"};
  if (!claims) {
    reply(res, 403, pages::bad_link(claims.error()));
    return std::nullopt;
  }
  return *claims;
}

// Secure: the __Host- prefix, which needs Path=/.
std::string WebServer::Impl::csrf_cookie_name() const {
  return settings.secure_cookies ? "__Host-" + std::string(kCsrfCookie) : std::string(kCsrfCookie);
}

std::string WebServer::Impl::csrf_cookie_header(const std::string& value) const {
  if (settings.secure_cookies) return csrf_cookie_name() + "=" + value + "; Path=/; HttpOnly; SameSite=Strict; Secure";
  return csrf_cookie_name() + "=" + value + "; Path=/link; HttpOnly; SameSite=Strict";
}

void WebServer::Impl::on_get(const httplib::Request& req, httplib::Response& res) {
  auto claims = verified(req, res);
  if (!claims) return;
  auto summary = handlers.summary(claims->message_id);
  if (!summary) return reply(res, 404, pages::unknown_message());
  // Keep a cookie the browser already holds, so two confirmation pages open side by side both work.
  std::string csrf = cookie_value(req, csrf_cookie_name());
  if (!is_csrf_value(csrf)) csrf = random_token();
  if (csrf.empty()) return reply(res, 500, pages::error_status(500));
  res.set_header("Set-Cookie", csrf_cookie_header(csrf));
  reply(res, 200, pages::confirm(*summary, *claims, req.matches[1].str(), csrf));
}

void WebServer::Impl::on_post(const httplib::Request& req, httplib::Response& res) {
  auto claims = verified(req, res);
  if (!claims) return;
  std::string cookie = cookie_value(req, csrf_cookie_name());
  std::string field = req.get_param_value("csrf");
  if (!is_csrf_value(cookie) || !same_secret(cookie, field)) return reply(res, 403, pages::csrf_failed());
  std::string comment = req.get_param_value("comment");
  if (comment.size() > kMaxComment) return reply(res, 413, pages::error_status(413));
  auto result = handlers.decide(LinkDecision{*claims, std::move(comment), client_address(req, settings.trusted_proxies)});
  if (!result) return reply(res, 409, pages::conflict(result.error()));
  reply(res, 200, pages::done(*claims, *result));
}

void WebServer::Impl::install_routes() {
  svr.set_default_headers(security_headers());
  svr.set_payload_max_length(kMaxBody);
  if (settings.metrics) install_metrics_route(svr, *settings.metrics);
  const char* route = R"(/link/([^/]+))";
  svr.Get(route, [this](const httplib::Request& req, httplib::Response& res) { on_get(req, res); });
  svr.Post(route, [this](const httplib::Request& req, httplib::Response& res) { on_post(req, res); });
  if (app) app->install(svr);
  if (handlers.detach.ready()) {
    detach = std::make_unique<DetachRoutes>(settings, handlers.detach);
    detach->install(svr);
  }
  // Called for every status >= 400, including the pages above: only fill in responses with no body
  // (unknown paths, oversized or unparsable requests).
  svr.set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        res.set_content(pages::error_status(res.status), kHtml);
        return httplib::Server::HandlerResponse::Handled;
      }));
  // Without this, cpp-httplib puts the exception text in a response header.
  svr.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    reply(res, 500, pages::error_status(500));
  });
}

WebServer::WebServer(WebSettings settings, LinkHandlers handlers)
    : impl_(std::make_unique<Impl>(std::move(settings), std::move(handlers))) {
  impl_->install_routes();
}

WebServer::WebServer(WebSettings settings, LinkHandlers handlers, AppHandlers app_handlers, AppSettings app_settings)
    : impl_(std::make_unique<Impl>(std::move(settings), std::move(handlers))) {
  impl_->app = std::make_unique<AppRoutes>(impl_->settings, std::move(app_settings), std::move(app_handlers));
  impl_->install_routes();
}

WebServer::~WebServer() { stop(); }

util::Result<int> WebServer::start() {
  Impl& im = *impl_;
  if (im.settings.key.empty()) return util::Error{"web: the link key is empty"};
  if (!im.handlers.summary || !im.handlers.decide) return util::Error{"web: link handlers are missing"};
  if (im.app && !im.app->ready()) return util::Error{"web: queue handlers are missing"};
  if (im.thread.joinable()) return util::Error{"web: already started"};
  auto port = listen_in_thread(im.svr, im.settings.host, im.settings.port, im.thread, im.listen_returned);
  if (!port) return util::Error{"web: " + port.error()};
  return port;
}

void WebServer::stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  impl_->svr.stop();
  impl_->thread.join();
}

}  // namespace preflight::web
