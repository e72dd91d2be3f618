// Detached attachments: link pages, one-time download and revocation; see detach_routes.hpp.
#include "detach_routes.hpp"

#include "app_pages.hpp"
#include "app_routes.hpp"
#include "pages.hpp"
#include "request_origin.hpp"
#include "preflight/util/random.hpp"

namespace preflight::web {

namespace {

constexpr std::int64_t kFormSeconds = 600;
constexpr const char* kHtml = "text/html; charset=utf-8";

void reply(httplib::Response& res, int status, const std::string& html) {
  res.status = status;
  res.set_content(html, kHtml);
}

}  // namespace

std::string attachment_disposition(std::string_view name) {
  std::string fallback;
  for (unsigned char c : name)
    fallback += (c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '%' && c != '/') ? static_cast<char>(c) : '_';
  if (fallback.empty()) fallback = "download";
  return "attachment; filename=\"" + fallback + "\"; filename*=UTF-8''" + app_pages::url_encode(name);
}

std::optional<LinkClaims> DetachRoutes::verified(const httplib::Request& req, httplib::Response& res,
                                                 LinkAction want) const {
  auto claims = verify_link(req.matches[1].str(), web_.key, unix_now());
  if (claims && claims->action != want) claims = util::Error{"malformed link"};
  if (!claims) {
    reply(res, 403, pages::bad_link(claims.error()));
    return std::nullopt;
  }
  return *claims;
}

std::string DetachRoutes::form_token(const std::string& subject) {
  std::string nonce = util::random_hex(16);
  if (nonce.empty()) return {};
  return sign_link({subject, nonce, LinkAction::Fetch, unix_now() + kFormSeconds}, web_.key);
}

bool DetachRoutes::take_form_token(const std::string& token, const std::string& subject) {
  const std::int64_t now = unix_now();
  auto claims = verify_link(token, web_.key, now);
  if (!claims || claims->action != LinkAction::Fetch || claims->message_id != subject || claims->actor.size() != 32)
    return false;
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(used_, [now](const auto& kv) { return kv.second <= now; });
  return used_.emplace(claims->actor, claims->expires_at).second;
}

void DetachRoutes::file_page(const httplib::Request& req, httplib::Response& res) {
  auto claims = verified(req, res, LinkAction::Download);
  if (!claims) return;
  auto file = handlers_.file(claims->message_id);
  if (!file) return reply(res, 404, pages::unknown_file());
  std::string token = form_token(file->id);
  if (token.empty()) return reply(res, 500, pages::error_status(500));
  reply(res, 200, pages::file_page(*file, req.matches[1].str(), token));
}

void DetachRoutes::download(const httplib::Request& req, httplib::Response& res) {
  auto claims = verified(req, res, LinkAction::Download);
  if (!claims) return;
  if (!take_form_token(req.get_param_value("fetch"), claims->message_id))
    return reply(res, 403, pages::form_expired());
  auto file = handlers_.file(claims->message_id);
  if (!file) return reply(res, 404, pages::unknown_file());
  auto bytes = handlers_.download({file->id, client_address(req, web_.trusted_proxies), req.get_header_value("User-Agent")});
  if (!bytes) return reply(res, 410, pages::file_refused(bytes.error()));
  res.status = 200;
  res.set_header("Content-Disposition", attachment_disposition(file->filename));
  res.set_content(std::move(*bytes), "application/octet-stream");
}

void DetachRoutes::revoke_page(const httplib::Request& req, httplib::Response& res) {
  auto claims = verified(req, res, LinkAction::Revoke);
  if (!claims) return;
  std::string token = form_token(claims->message_id);
  if (token.empty()) return reply(res, 500, pages::error_status(500));
  reply(res, 200, pages::revoke_page(handlers_.batch(claims->message_id), req.matches[1].str(), token));
}

void DetachRoutes::revoke(const httplib::Request& req, httplib::Response& res) {
  auto claims = verified(req, res, LinkAction::Revoke);
  if (!claims) return;
  if (!take_form_token(req.get_param_value("fetch"), claims->message_id))
    return reply(res, 403, pages::form_expired());
  auto n = handlers_.revoke(claims->message_id, claims->actor, client_address(req, web_.trusted_proxies));
  if (!n) return reply(res, 409, pages::conflict(n.error()));
  reply(res, 200, pages::revoked(*n));
}

void DetachRoutes::install(httplib::Server& svr) {
  svr.Get(R"(/file/([^/]+))", [this](const httplib::Request& q, httplib::Response& r) { file_page(q, r); });
  svr.Post(R"(/file/([^/]+))", [this](const httplib::Request& q, httplib::Response& r) { download(q, r); });
  svr.Get(R"(/revoke/([^/]+))", [this](const httplib::Request& q, httplib::Response& r) { revoke_page(q, r); });
  svr.Post(R"(/revoke/([^/]+))", [this](const httplib::Request& q, httplib::Response& r) { revoke(q, r); });
}

}  // namespace preflight::web
