// The web queue's HTML pages (private to the web module), rendered on the server from the same JSON the
// API returns. Contract: every value that comes from mail, the store or the browser goes through
// html_escape; fixed text comes from the catalogue (i18n). No inline script or style: the CSP allows
// only /static/app.js and /static/app.css. Mail HTML is never rendered; the body is shown as text.
#pragma once
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "i18n.hpp"
#include "preflight/web/app.hpp"

namespace preflight::web::app_pages {

struct Viewer {
  Lang lang = Lang::Ja;
  std::string name, email;
  Role role = Role::Auditor;
  std::string csrf;
  std::string path;  // the current path and query, for the language switch to come back to
};

std::string sign_in(Lang lang, std::string_view csrf, std::string_view error_key);
// `list` is the API's list object; `q` the query it answers.
std::string queue(const Viewer& v, const nlohmann::json& list, const QueueQuery& q);
std::string message(const Viewer& v, const nlohmann::json& m, std::string_view notice_key);
// `approvers` is the API's approver load object, or null for none.
std::string dashboard(const Viewer& v, const nlohmann::json& stats, const nlohmann::json& approvers);
// A short page with one message from the catalogue (errors: not found, forbidden, ...).
std::string notice(const Viewer& v, std::string_view key);
// After a bulk decision some of whose messages failed: each failed message's id and why (the API's
// results objects {id, ok, error}); the ones that went through are counted.
std::string bulk_result(const Viewer& v, const nlohmann::json& results);

// Local time "YYYY-MM-DD HH:MM" of unix seconds ("-" for none), and RFC 3986 percent-encoding of all but
// unreserved characters (query values, RFC 5987 file names). Shared with the link pages.
std::string when(std::int64_t t);
std::string url_encode(std::string_view s);

// Inline SVG charts (horizontal bars), labels escaped. Exposed for tests.
std::string bar_chart(const nlohmann::json& pairs, std::string_view title);

}  // namespace preflight::web::app_pages
