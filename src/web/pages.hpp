// The HTML pages behind action links (private to the web module). Every page is a complete UTF-8
// document, Japanese first with English below, inline CSS only and no script. Every argument that can
// come from mail or from the browser is escaped here; callers pass raw text.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "preflight/web/server.hpp"

namespace preflight::web::pages {

// The confirmation page a GET shows; its form posts to /link/<token> with the CSRF value as a hidden field.
std::string confirm(const MessageSummary& summary, const LinkClaims& claims, std::string_view token,
                    std::string_view csrf);
// After a successful POST: the message's new state.
std::string done(const LinkClaims& claims, std::string_view new_state);
// A decision the handlers refused (409), with their error text.
std::string conflict(std::string_view error);
// A token that failed verification (403); `error` is one of verify_link's messages.
std::string bad_link(std::string_view error);
// A valid link whose message no longer exists (404).
std::string unknown_message();
// A POST whose CSRF value is missing or does not match the cookie (403).
std::string csrf_failed();
// Detached attachments (detach_routes.hpp): the page a download link opens, with its one-time form.
std::string file_page(const DetachedFileInfo& file, std::string_view token, std::string_view form_token);
std::string unknown_file();                          // 404
std::string file_refused(std::string_view reason);   // 410: revoked, expired, limit, rate
std::string form_expired();                          // 403: the form token was used or is too old
// The sender's revoke page (every file of the mail) and its result.
std::string revoke_page(const std::vector<DetachedFileInfo>& files, std::string_view token, std::string_view form_token);
std::string revoked(std::size_t files);

// Any other failure, by HTTP status (404, 400, 413, 500...).
std::string error_status(int status);

}  // namespace preflight::web::pages
