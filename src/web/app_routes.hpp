// The web queue's routes (private to the web module): the pages, the JSON API under /api/ and the
// static files. Contract: every page and API call but sign-in, the language switch and the static files
// needs a signed-in account (session cookie, or the trusted proxy header when configured); every POST
// needs the session's CSRF token (form field `csrf` or header X-CSRF-Token); approvers see and decide
// only mail they are approvers of (others' mail is "not found"), auditors only read.
#pragma once
#include <httplib.h>

#include "preflight/web/server.hpp"
#include "preflight/web/sessions.hpp"
#include "request_origin.hpp"

namespace preflight::web {

// Shared by the route files.
std::string cookie_value(const httplib::Request& req, std::string_view name);
bool bulk_action(const std::string& action);  // the actions a bulk decision may take
std::int64_t unix_now();
void reply_json(httplib::Response& res, int status, const nlohmann::json& body);
QueueQuery query_from(const httplib::Request& req);
// The CSP of the web queue: scripts and styles from this server only, nothing else at all.
void app_headers(httplib::Response& res);

class AppRoutes {
 public:
  AppRoutes(const WebSettings& web, AppSettings settings, AppHandlers handlers)
      : secure_cookies_(web.secure_cookies), key_(web.key), trusted_proxies_(web.trusted_proxies),
        settings_(std::move(settings)), handlers_(std::move(handlers)),
        sessions_(settings_.session_idle_seconds, settings_.sessions) {
    sessions_.purge(unix_now());  // sessions that expired while the daemon was down
  }
  void install(httplib::Server& svr);
  bool ready() const {
    return handlers_.account && handlers_.list && handlers_.message && handlers_.decide && handlers_.stats;
  }

  // The signed-in account and its session, for one request.
  struct Ctx {
    Account account;
    Session session;
  };

 private:
  std::optional<Ctx> signed_in(const httplib::Request& req, httplib::Response& res);
  std::string session_cookie(const std::string& id, bool remove) const;
  // A cookie's name: with the __Host- prefix when cookies are Secure (browsers then refuse it from a
  // sibling domain or over plain HTTP).
  std::string cookie_name(std::string_view base) const;
  std::string from(const httplib::Request& req) const { return client_address(req, trusted_proxies_); }
  bool proxy_vouches(const httplib::Request& req) const;

  void login_page(const httplib::Request& req, httplib::Response& res, const std::string& error, int status);
  void login(const httplib::Request& req, httplib::Response& res);
  void logout(const httplib::Request& req, httplib::Response& res);
  void queue_page(const httplib::Request& req, httplib::Response& res);
  void message_page(const httplib::Request& req, httplib::Response& res);
  void decide_form(const httplib::Request& req, httplib::Response& res);
  void bulk_form(const httplib::Request& req, httplib::Response& res);
  void dashboard_page(const httplib::Request& req, httplib::Response& res);

  void api_me(const httplib::Request& req, httplib::Response& res);
  void api_list(const httplib::Request& req, httplib::Response& res);
  void api_message(const httplib::Request& req, httplib::Response& res);
  void api_decide(const httplib::Request& req, httplib::Response& res);
  void api_bulk(const httplib::Request& req, httplib::Response& res);
  void api_stats(const httplib::Request& req, httplib::Response& res);
  void api_approvers(const httplib::Request& req, httplib::Response& res);

  // The message when it exists and `ctx` may see it; nullopt otherwise (or a store error, in `error`).
  std::optional<nlohmann::json> visible_message(const Ctx& ctx, const std::string& id, std::string& error);
  // The same check on the queue row alone (handlers.row), without reading the mail.
  bool in_scope(const Ctx& ctx, const std::string& id, std::string& error);
  // One decision with the scope and role checks; returns the HTTP status and the new state or error.
  std::pair<int, std::string> decide(const Ctx& ctx, const std::string& id, const std::string& action,
                                     const std::string& comment, const std::string& address);

  bool secure_cookies_;
  std::string key_;  // the gateway's key: sign-in tokens are derived from it
  std::vector<std::string> trusted_proxies_;
  AppSettings settings_;
  AppHandlers handlers_;
  SessionStore sessions_;
  LoginLimiter limiter_{5, 900, 900};       // per account: 5 failures in 15 minutes lock it for 15
  LoginLimiter ip_limiter_{20, 900, 900};   // per address: higher, as a proxy or an office shares one
};

}  // namespace preflight::web
