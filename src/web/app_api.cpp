// The web queue's JSON API (the pages use the same handlers and objects); see app_routes.hpp and
// docs/web.md. Errors are {"error": "..."} with 400, 401, 403 (CSRF, role), 404 (absent or out of scope),
// 409 (already decided), 413, 500.
#include <algorithm>

#include "app_routes.hpp"

namespace preflight::web {

namespace {

using nlohmann::json;

int int_param(const httplib::Request& req, const char* name, int fallback, int lo, int hi) {
  if (!req.has_param(name)) return fallback;
  try {
    return std::clamp(std::stoi(req.get_param_value(name)), lo, hi);
  } catch (const std::exception&) {
    return fallback;
  }
}

bool csrf_ok(const httplib::Request& req, const AppRoutes::Ctx& ctx) {
  std::string sent = req.get_header_value("X-CSRF-Token");
  if (sent.empty()) sent = req.get_param_value("csrf");
  return same_secret(ctx.session.csrf, sent);
}

// The request's JSON body; an empty object for a form-encoded body (read with get_param_value), nullopt
// for a JSON body that is not a JSON object (the caller answers 400 rather than guess).
std::optional<json> body_of(const httplib::Request& req) {
  if (req.get_header_value("Content-Type").rfind("application/json", 0) != 0) return json::object();
  json j = json::parse(req.body, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  return j;
}

std::string field(const httplib::Request& req, const json& body, const char* name) {
  auto it = body.find(name);
  if (it != body.end() && it->is_string()) return it->get<std::string>();
  return req.get_param_value(name);
}

}  // namespace

std::optional<Role> parse_role(const std::string& name) {
  if (name == "admin") return Role::Admin;
  if (name == "approver") return Role::Approver;
  if (name == "auditor") return Role::Auditor;
  return std::nullopt;
}

const char* role_name(Role r) {
  switch (r) {
    case Role::Admin: return "admin";
    case Role::Approver: return "approver";
    case Role::Auditor: return "auditor";
  }
  return "auditor";
}

QueueQuery query_from(const httplib::Request& req) {
  QueueQuery q;
  q.state = req.get_param_value("state");
  q.reason = req.get_param_value("reason");
  q.sender = req.get_param_value("sender");
  q.department = req.get_param_value("department");
  q.text = req.get_param_value("q");
  q.min_age_days = int_param(req, "min_age", 0, 0, 3650);
  q.max_age_days = int_param(req, "max_age", 0, 0, 3650);
  std::string sort = req.get_param_value("sort");
  if (!sort.empty()) q.sort = sort;
  q.descending = req.get_param_value("order") != "asc";
  q.page = int_param(req, "page", 1, 1, 1000000);
  q.per_page = int_param(req, "per_page", 50, 1, 500);
  return q;
}

void AppRoutes::api_me(const httplib::Request& req, httplib::Response& res) {
  auto ctx = signed_in(req, res);
  if (!ctx) return reply_json(res, 401, {{"error", "not signed in"}});
  reply_json(res, 200, {{"name", ctx->account.name}, {"email", ctx->account.email},
                        {"role", role_name(ctx->account.role)}, {"csrf", ctx->session.csrf}});
}

void AppRoutes::api_list(const httplib::Request& req, httplib::Response& res) {
  auto ctx = signed_in(req, res);
  if (!ctx) return reply_json(res, 401, {{"error", "not signed in"}});
  QueueQuery q = query_from(req);
  if (ctx->account.role == Role::Approver) q.scope = ctx->account.email;
  auto list = handlers_.list(q);
  if (!list) return reply_json(res, 500, {{"error", list.error()}});
  json out = *list;
  out["page"] = q.page;
  out["per_page"] = q.per_page;
  reply_json(res, 200, out);
}

void AppRoutes::api_message(const httplib::Request& req, httplib::Response& res) {
  auto ctx = signed_in(req, res);
  if (!ctx) return reply_json(res, 401, {{"error", "not signed in"}});
  std::string error;
  auto m = visible_message(*ctx, req.matches[1].str(), error);
  if (!m) return reply_json(res, error.empty() ? 404 : 500, {{"error", error.empty() ? "not found" : error}});
  reply_json(res, 200, *m);
}

void AppRoutes::api_decide(const httplib::Request& req, httplib::Response& res) {
  auto ctx = signed_in(req, res);
  if (!ctx) return reply_json(res, 401, {{"error", "not signed in"}});
  if (!csrf_ok(req, *ctx)) return reply_json(res, 403, {{"error", "missing or wrong CSRF token"}});
  auto body = body_of(req);
  if (!body) return reply_json(res, 400, {{"error", "the body is not a JSON object"}});
  std::string id = req.matches[1].str();
  auto [status, text] = decide(*ctx, id, req.matches[2].str(), field(req, *body, "comment"), from(req));
  if (status != 200) return reply_json(res, status, {{"id", id}, {"error", text}});
  reply_json(res, 200, {{"id", id}, {"state", text}});
}

void AppRoutes::api_bulk(const httplib::Request& req, httplib::Response& res) {
  auto ctx = signed_in(req, res);
  if (!ctx) return reply_json(res, 401, {{"error", "not signed in"}});
  if (!csrf_ok(req, *ctx)) return reply_json(res, 403, {{"error", "missing or wrong CSRF token"}});
  if (ctx->account.role == Role::Auditor) return reply_json(res, 403, {{"error", "auditors may not decide"}});
  auto body = body_of(req);
  if (!body) return reply_json(res, 400, {{"error", "the body is not a JSON object"}});
  std::string action = field(req, *body, "action"), comment = field(req, *body, "comment");
  if (!bulk_action(action)) return reply_json(res, 400, {{"error", "bulk action is approve or reject"}});
  const json& ids = body->value("ids", json());
  bool strings = ids.is_array() && std::all_of(ids.begin(), ids.end(), [](const json& i) { return i.is_string(); });
  if (!strings) return reply_json(res, 400, {{"error", "ids must be a list of message ids"}});
  json results = json::array();
  for (const auto& id : ids) {
    auto [status, text] = decide(*ctx, id.get<std::string>(), action, comment, from(req));
    results.push_back(status == 200 ? json{{"id", id}, {"ok", true}, {"state", text}}
                                    : json{{"id", id}, {"ok", false}, {"status", status}, {"error", text}});
  }
  reply_json(res, 200, {{"results", results}});
}

void AppRoutes::api_stats(const httplib::Request& req, httplib::Response& res) {
  auto ctx = signed_in(req, res);
  if (!ctx) return reply_json(res, 401, {{"error", "not signed in"}});
  auto st = handlers_.stats(ctx->account.role == Role::Approver ? ctx->account.email : "");
  if (!st) return reply_json(res, 500, {{"error", st.error()}});
  reply_json(res, 200, *st);
}

// An approver sees only their own load; administrators and auditors everyone's.
void AppRoutes::api_approvers(const httplib::Request& req, httplib::Response& res) {
  auto ctx = signed_in(req, res);
  if (!ctx) return reply_json(res, 401, {{"error", "not signed in"}});
  if (!handlers_.approvers) return reply_json(res, 404, {{"error", "not available"}});
  auto load = handlers_.approvers(ctx->account.role == Role::Approver ? ctx->account.email : "");
  if (!load) return reply_json(res, 500, {{"error", load.error()}});
  reply_json(res, 200, *load);
}

}  // namespace preflight::web
