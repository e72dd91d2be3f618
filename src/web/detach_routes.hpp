// The pages of detached attachments (private to the web module). Contract:
//   GET  /file/<download token>   the file's name, size and expiry and a download button; changes nothing
//   POST /file/<download token>   with the page's one-time form token (field `fetch`): the file itself
//   GET  /revoke/<revoke token>   the mail's files and a button; changes nothing
//   POST /revoke/<revoke token>   with the page's one-time form token: every file is withdrawn
// A form token is a signed link (LinkAction::Fetch) naming the same file or batch and a random nonce, valid
// 10 minutes and accepted once: link scanners that only GET never download or revoke anything, and no
// cookie is needed (a recipient's browser may refuse them).
#pragma once
#include <httplib.h>

#include <map>
#include <mutex>

#include "preflight/web/server.hpp"

namespace preflight::web {

class DetachRoutes {
 public:
  DetachRoutes(const WebSettings& web, DetachHandlers handlers) : web_(web), handlers_(std::move(handlers)) {}
  void install(httplib::Server& svr);

 private:
  std::optional<LinkClaims> verified(const httplib::Request& req, httplib::Response& res, LinkAction want) const;
  std::string form_token(const std::string& subject);
  // The form token's nonce is taken (false when it was used already, or is not for `subject`).
  bool take_form_token(const std::string& token, const std::string& subject);
  void file_page(const httplib::Request& req, httplib::Response& res);
  void download(const httplib::Request& req, httplib::Response& res);
  void revoke_page(const httplib::Request& req, httplib::Response& res);
  void revoke(const httplib::Request& req, httplib::Response& res);

  const WebSettings& web_;
  DetachHandlers handlers_;
  std::mutex mu_;
  std::map<std::string, std::int64_t> used_;  // nonce -> its token's expiry
};

// `attachment; filename="ASCII fallback"; filename*=UTF-8''percent-encoded` (RFC 6266, RFC 5987).
std::string attachment_disposition(std::string_view utf8_name);

}  // namespace preflight::web
