// The web queue's pages and sign-in; see app_routes.hpp. The JSON API is in app_api.cpp.
#include "app_routes.hpp"

#include <chrono>

#include "app_pages.hpp"
#include "assets.hpp"
#include "preflight/util/strings.hpp"
#include "preflight/web/password.hpp"

namespace preflight::web {

namespace {

constexpr const char* kHtml = "text/html; charset=utf-8";
constexpr std::string_view kSessionCookie = "pf_session";
constexpr std::string_view kLoginCookie = "pf_login";
constexpr std::size_t kMaxComment = 2400;

Lang lang_of(const httplib::Request& req) {
  return choose_lang(cookie_value(req, "pf_lang"), req.get_header_value("Accept-Language"));
}

app_pages::Viewer viewer(const httplib::Request& req, const AppRoutes::Ctx& c) {
  std::string path = req.path;
  if (!req.params.empty() && req.method == "GET") {
    path += "?";
    for (const auto& [k, v] : req.params) path += httplib::detail::encode_query_param(k) + "=" +
                                                  httplib::detail::encode_query_param(v) + "&";
    path.pop_back();
  }
  return {lang_of(req), c.account.name, c.account.email, c.account.role, c.session.csrf, path};
}

void html(httplib::Response& res, int status, const std::string& body) {
  app_headers(res);
  res.status = status;
  res.set_content(body, kHtml);
}

void redirect(httplib::Response& res, const std::string& to) {
  app_headers(res);
  res.status = 303;
  res.set_header("Location", to);
}

// Only local paths, so the language switch cannot send anyone elsewhere. Browsers drop tabs and line
// breaks from URLs and read '\' as '/', so "/<TAB>/evil" would be "//evil": every control character,
// space and backslash is refused, not just a second slash.
std::string local_path(const std::string& p) {
  if (p.empty() || p[0] != '/' || (p.size() > 1 && p[1] == '/')) return "/queue";
  for (char c : p)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '\\') return "/queue";
  return p;
}

}  // namespace

// Bulk decisions approve as the policy planned or reject; "approve as Bcc" is chosen one message at a time.
bool bulk_action(const std::string& action) { return action == "approve" || action == "reject"; }

std::string cookie_value(const httplib::Request& req, std::string_view name) {
  std::size_t headers = req.get_header_value_count("Cookie");
  for (std::size_t i = 0; i < headers; ++i)
    for (const auto& part : util::split(req.get_header_value("Cookie", i), ';')) {
      std::string_view kv = util::trim(part);
      if (kv.size() > name.size() && kv.substr(0, name.size()) == name && kv[name.size()] == '=')
        return std::string(kv.substr(name.size() + 1));
    }
  return {};
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void app_headers(httplib::Response& res) {
  res.headers.erase("Content-Security-Policy");
  res.set_header("Content-Security-Policy",
                 "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
                 "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
}

void reply_json(httplib::Response& res, int status, const nlohmann::json& body) {
  app_headers(res);
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json; charset=utf-8");
}

std::string AppRoutes::cookie_name(std::string_view base) const {
  return secure_cookies_ ? "__Host-" + std::string(base) : std::string(base);
}

// A browser-session cookie (the server ends idle sessions itself); `remove` deletes it (sign-out).
std::string AppRoutes::session_cookie(const std::string& id, bool remove) const {
  std::string c = cookie_name(kSessionCookie) + "=" + id + "; Path=/; HttpOnly; SameSite=Strict";
  if (remove) c += "; Max-Age=0";
  return secure_cookies_ ? c + "; Secure" : c;
}

// The SSO proxy's header counts only with the shared secret: any local process can reach a loopback port.
bool AppRoutes::proxy_vouches(const httplib::Request& req) const {
  return !settings_.trust_proxy_header.empty() && !settings_.trust_proxy_secret.empty() &&
         same_secret(req.get_header_value("X-Preflight-Proxy-Secret"), settings_.trust_proxy_secret);
}

std::optional<AppRoutes::Ctx> AppRoutes::signed_in(const httplib::Request& req, httplib::Response& res) {
  std::int64_t now = unix_now();
  auto session = sessions_.find(cookie_value(req, cookie_name(kSessionCookie)), now);
  std::string proxied = proxy_vouches(req) ? req.get_header_value(settings_.trust_proxy_header.c_str()) : "";
  if (!proxied.empty() && (!session || session->user != proxied)) {
    // The proxy vouches for this user: give the browser a session so that CSRF tokens work as usual
    // (only for an existing account: nobody else gets a session row or a cookie).
    if (!handlers_.account(proxied)) return std::nullopt;
    session = sessions_.create(proxied, now);
    if (session) res.set_header("Set-Cookie", session_cookie(session->id, false));
  }
  if (!session) return std::nullopt;
  auto account = handlers_.account(session->user);
  if (!account) return std::nullopt;
  return Ctx{*account, *session};
}

// The sign-in form's token is one this server issued (request_origin.hpp); a browser's own is replaced.
void AppRoutes::login_page(const httplib::Request& req, httplib::Response& res, const std::string& error, int status) {
  std::string token = cookie_value(req, cookie_name(kLoginCookie));
  if (!valid_login_token(token, key_)) token = issue_login_token(key_);
  if (token.empty()) return html(res, 500, app_pages::sign_in(lang_of(req), "", "error"));
  std::string cookie = cookie_name(kLoginCookie) + "=" + token + "; HttpOnly; SameSite=Strict";
  res.set_header("Set-Cookie", secure_cookies_ ? cookie + "; Path=/; Secure" : cookie + "; Path=/login");
  html(res, status, app_pages::sign_in(lang_of(req), token, error));
}

void AppRoutes::login(const httplib::Request& req, httplib::Response& res) {
  std::string token = cookie_value(req, cookie_name(kLoginCookie));
  if (!valid_login_token(token, key_) || !same_secret(token, req.get_param_value("csrf")))
    return login_page(req, res, "csrf_failed", 403);
  std::string user = req.get_param_value("user");
  std::int64_t now = unix_now();
  std::string user_key = "user:" + util::to_lower(user), ip_key = "ip:" + from(req);
  if (limiter_.locked_for(user_key, now) > 0 || ip_limiter_.locked_for(ip_key, now) > 0)
    return login_page(req, res, "locked", 429);
  auto account = handlers_.account(user);
  // Without an account, still spend the time a verification takes: no timing tells which names exist.
  static const std::string kDummy = [] {
    auto h = hash_password("unused", kPasswordIterations);
    return h ? *h : std::string();
  }();
  bool ok = account ? verify_password(req.get_param_value("password"), account->password_hash)
                    : (verify_password(req.get_param_value("password"), kDummy), false);
  if (!ok) {
    limiter_.failure(user_key, now);
    ip_limiter_.failure(ip_key, now);
    return login_page(req, res, "login_failed", 401);
  }
  limiter_.success(user_key);
  auto session = sessions_.create(account->name, now);
  if (!session) return html(res, 500, app_pages::sign_in(lang_of(req), "", "error"));
  res.set_header("Set-Cookie", session_cookie(session->id, false));
  redirect(res, "/queue");
}

void AppRoutes::logout(const httplib::Request& req, httplib::Response& res) {
  auto ctx = signed_in(req, res);
  if (ctx && same_secret(ctx->session.csrf, req.get_param_value("csrf"))) sessions_.remove(ctx->session.id);
  res.set_header("Set-Cookie", session_cookie("", true));
  redirect(res, "/login");
}

void AppRoutes::queue_page(const httplib::Request& req, httplib::Response& res) {
  auto ctx = signed_in(req, res);
  if (!ctx) return redirect(res, "/login");
  QueueQuery q = query_from(req);
  if (ctx->account.role == Role::Approver) q.scope = ctx->account.email;
  auto list = handlers_.list(q);
  auto v = viewer(req, *ctx);
  if (!list) return html(res, 500, app_pages::notice(v, "error"));
  html(res, 200, app_pages::queue(v, *list, q));
}

void AppRoutes::message_page(const httplib::Request& req, httplib::Response& res) {
  auto ctx = signed_in(req, res);
  if (!ctx) return redirect(res, "/login");
  std::string error;
  auto m = visible_message(*ctx, req.matches[1].str(), error);
  auto v = viewer(req, *ctx);
  if (!m) return html(res, error.empty() ? 404 : 500, app_pages::notice(v, error.empty() ? "not_found" : "error"));
  html(res, 200, app_pages::message(v, *m, req.has_param("done") ? "decided" : ""));
}

void AppRoutes::decide_form(const httplib::Request& req, httplib::Response& res) {
  auto ctx = signed_in(req, res);
  if (!ctx) return redirect(res, "/login");
  auto v = viewer(req, *ctx);
  if (!same_secret(ctx->session.csrf, req.get_param_value("csrf")))
    return html(res, 403, app_pages::notice(v, "csrf_failed"));
  std::string id = req.matches[1].str();
  auto [status, text] = decide(*ctx, id, req.get_param_value("action"), req.get_param_value("comment"), from(req));
  if (status == 200) return redirect(res, "/held/" + httplib::detail::encode_query_param(id) + "?done=1");
  html(res, status, app_pages::notice(v, status == 404 ? "not_found" : status == 403 ? "forbidden" : "error"));
}

void AppRoutes::bulk_form(const httplib::Request& req, httplib::Response& res) {
  auto ctx = signed_in(req, res);
  if (!ctx) return redirect(res, "/login");
  auto v = viewer(req, *ctx);
  if (!same_secret(ctx->session.csrf, req.get_param_value("csrf")))
    return html(res, 403, app_pages::notice(v, "csrf_failed"));
  if (ctx->account.role == Role::Auditor) return html(res, 403, app_pages::notice(v, "forbidden"));
  if (!bulk_action(req.get_param_value("action"))) return html(res, 400, app_pages::notice(v, "error"));
  nlohmann::json results = nlohmann::json::array();
  bool failed = false;
  for (std::size_t i = 0; i < req.get_param_value_count("ids"); ++i) {
    std::string id = req.get_param_value("ids", i);
    auto [status, text] = decide(*ctx, id, req.get_param_value("action"), req.get_param_value("comment"), from(req));
    failed = failed || status != 200;
    results.push_back({{"id", id}, {"ok", status == 200}, {"error", status == 200 ? "" : text}});
  }
  if (failed) return html(res, 409, app_pages::bulk_result(v, results));
  redirect(res, "/queue");
}

void AppRoutes::dashboard_page(const httplib::Request& req, httplib::Response& res) {
  auto ctx = signed_in(req, res);
  if (!ctx) return redirect(res, "/login");
  auto v = viewer(req, *ctx);
  std::string scope = ctx->account.role == Role::Approver ? ctx->account.email : "";
  auto st = handlers_.stats(scope);
  if (!st) return html(res, 500, app_pages::notice(v, "error"));
  nlohmann::json load = nullptr;  // no table without the handler
  if (handlers_.approvers) {
    auto l = handlers_.approvers(scope);
    if (!l) return html(res, 500, app_pages::notice(v, "error"));
    load = *l;
  }
  html(res, 200, app_pages::dashboard(v, *st, load));
}

std::optional<nlohmann::json> AppRoutes::visible_message(const Ctx& ctx, const std::string& id, std::string& error) {
  auto m = handlers_.message(id);
  if (!m) return error = m.error(), std::nullopt;
  if (!m->has_value()) return std::nullopt;
  if (ctx.account.role == Role::Approver) {
    bool mine = false;
    for (const auto& a : (**m).value("approvers", nlohmann::json::array()))
      mine = mine || (a.is_string() && util::iequals(a.get<std::string>(), ctx.account.email));
    if (!mine) return std::nullopt;  // out of scope looks exactly like absent
  }
  return **m;
}

bool AppRoutes::in_scope(const Ctx& ctx, const std::string& id, std::string& error) {
  if (!handlers_.row) return visible_message(ctx, id, error).has_value();
  auto row = handlers_.row(id);
  if (!row) return error = row.error(), false;
  if (!row->has_value()) return false;
  if (ctx.account.role != Role::Approver) return true;
  for (const auto& a : (**row).value("approvers", nlohmann::json::array()))
    if (a.is_string() && util::iequals(a.get<std::string>(), ctx.account.email)) return true;
  return false;  // out of scope looks exactly like absent
}

std::pair<int, std::string> AppRoutes::decide(const Ctx& ctx, const std::string& id, const std::string& action,
                                              const std::string& comment, const std::string& address) {
  if (action != "approve" && action != "approve-bcc" && action != "reject") return {400, "unknown action"};
  if (comment.size() > kMaxComment) return {413, "comment too long"};
  std::string error;
  if (!in_scope(ctx, id, error)) return {error.empty() ? 404 : 500, error.empty() ? "not found" : error};
  if (ctx.account.role == Role::Auditor) return {403, "auditors may not decide"};
  auto r = handlers_.decide({id, action, ctx.account.email, address, comment, ctx.account.role == Role::Admin});
  if (!r) return {409, r.error()};
  return {200, *r};
}

void AppRoutes::install(httplib::Server& svr) {
  using Req = const httplib::Request&;
  using Res = httplib::Response&;
  svr.Get("/", [](Req, Res res) { redirect(res, "/queue"); });
  svr.Get("/login", [this](Req req, Res res) { login_page(req, res, "", 200); });
  svr.Post("/login", [this](Req req, Res res) { login(req, res); });
  svr.Post("/logout", [this](Req req, Res res) { logout(req, res); });
  svr.Get("/lang", [](Req req, Res res) {
    std::string to = req.get_param_value("to") == "en" ? "en" : "ja";
    res.set_header("Set-Cookie", "pf_lang=" + to + "; Path=/; SameSite=Strict; Max-Age=31536000");
    redirect(res, local_path(req.get_param_value("back")));
  });
  svr.Get("/queue", [this](Req req, Res res) { queue_page(req, res); });
  svr.Get(R"(/held/([A-Za-z0-9_.-]+))", [this](Req req, Res res) { message_page(req, res); });
  svr.Post(R"(/held/([A-Za-z0-9_.-]+)/decide)", [this](Req req, Res res) { decide_form(req, res); });
  svr.Post("/bulk", [this](Req req, Res res) { bulk_form(req, res); });
  svr.Get("/dashboard", [this](Req req, Res res) { dashboard_page(req, res); });
  svr.Get("/static/app.js", [](Req, Res res) {
    app_headers(res);
    res.set_content(std::string(assets::kAppJs), "text/javascript; charset=utf-8");
  });
  svr.Get("/static/app.css", [](Req, Res res) {
    app_headers(res);
    res.set_content(std::string(assets::kAppCss), "text/css; charset=utf-8");
  });
  svr.Get("/api/me", [this](Req req, Res res) { api_me(req, res); });
  svr.Get("/api/held", [this](Req req, Res res) { api_list(req, res); });
  svr.Get("/api/stats", [this](Req req, Res res) { api_stats(req, res); });
  svr.Get("/api/approvers", [this](Req req, Res res) { api_approvers(req, res); });
  svr.Post("/api/held/bulk", [this](Req req, Res res) { api_bulk(req, res); });
  svr.Get(R"(/api/held/([A-Za-z0-9_.-]+))", [this](Req req, Res res) { api_message(req, res); });
  svr.Post(R"(/api/held/([A-Za-z0-9_.-]+)/(approve|approve-bcc|reject))", [this](Req req, Res res) { api_decide(req, res); });
}

}  // namespace preflight::web
