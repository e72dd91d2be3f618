// The web queue's pages; see app_pages.hpp. Values read from JSON are escaped where they are written;
// `t()` texts come from the catalogue and are escaped too, so no string here is trusted by accident.
#include "app_pages.hpp"

#include <ctime>

#include "preflight/web/server.hpp"

namespace preflight::web::app_pages {

std::string when(std::int64_t t) {
  if (t <= 0) return "-";
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  localtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  return buf;
}

std::string url_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
    else out += '%', out += kHex[c >> 4], out += kHex[c & 15];
  }
  return out;
}

namespace {

using nlohmann::json;

std::string E(std::string_view s) { return html_escape(s); }
std::string T(Lang l, std::string_view key) { return html_escape(tr(l, key)); }

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t num(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<std::int64_t>() : 0;
}

std::string csrf_field(const Viewer& v) { return "<input type=\"hidden\" name=\"csrf\" value=\"" + E(v.csrf) + "\">"; }

std::string layout(Lang l, std::string_view title, std::string_view nav, std::string_view body) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"" + std::string(lang_code(l)) +
                    "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, "
                    "initial-scale=1\"><meta name=\"robots\" content=\"noindex, nofollow\"><title>" +
                    E(title) + " - " + T(l, "app") +
                    "</title><link rel=\"stylesheet\" href=\"/static/app.css\">"
                    "<script src=\"/static/app.js\" defer></script></head><body>\n";
  out += std::string(nav) + "<main>" + std::string(body) + "</main>\n</body></html>\n";
  return out;
}

std::string nav(const Viewer& v) {
  Lang other = v.lang == Lang::Ja ? Lang::En : Lang::Ja;
  std::string out = "<header><nav><strong>" + T(v.lang, "app") + "</strong> <a href=\"/queue\">" +
                    T(v.lang, "queue") + "</a> <a href=\"/dashboard\">" + T(v.lang, "dashboard") + "</a>";
  out += "<span class=\"who\">" + E(v.name) + " (" + T(v.lang, role_name(v.role)) + ") ";
  out += "<a id=\"lang-switch\" href=\"/lang?to=" + std::string(lang_code(other)) +
         "&amp;back=" + E(url_encode(v.path)) + "\">" + (other == Lang::Ja ? "日本語" : "English") + "</a> ";
  out += "<form method=\"post\" action=\"/logout\" class=\"inline\">" + csrf_field(v) + "<button>" +
         T(v.lang, "sign_out") + "</button></form></span></nav></header>";
  return out;
}

std::string state_badge(Lang l, const std::string& state) {
  return "<span class=\"state state-" + E(state) + "\">" + T(l, state) + "</span>";
}

std::string marks(Lang l, const json& r) {
  std::string out;
  auto mark = [&](const char* key, const char* cls) {
    out += " <span class=\"mark " + std::string(cls) + "\">" + T(l, key) + "</span>";
  };
  mark(r.value("external", false) ? "external" : "internal", r.value("external", false) ? "ext" : "int");
  if (r.value("first_time", false)) mark("first_time", "warn");
  if (r.value("lookalike", false)) {
    mark("lookalike", "danger");
    if (!str(r, "lookalike_of").empty()) out += " <small class=\"resembles\">≈ " + E(str(r, "lookalike_of")) + "</small>";
  }
  if (r.value("mailing_list", false)) mark("mailing_list", "warn");
  return out;
}

}  // namespace

std::string sign_in(Lang l, std::string_view csrf, std::string_view error_key) {
  std::string body = "<h1>" + T(l, "sign_in") + "</h1>";
  if (!error_key.empty()) body += "<p class=\"error\" role=\"alert\">" + T(l, error_key) + "</p>";
  body += "<form method=\"post\" action=\"/login\" class=\"login\"><input type=\"hidden\" name=\"csrf\" value=\"" +
          E(csrf) + "\"><label>" + T(l, "user") +
          " <input name=\"user\" autocomplete=\"username\" required></label><label>" + T(l, "password") +
          " <input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>"
          "<button type=\"submit\">" + T(l, "sign_in") + "</button></form>";
  Lang other = l == Lang::Ja ? Lang::En : Lang::Ja;
  body += "<p><a id=\"lang-switch\" href=\"/lang?to=" + std::string(lang_code(other)) + "&amp;back=%2Flogin\">" +
          (other == Lang::Ja ? "日本語" : "English") + "</a></p>";
  return layout(l, tr(l, "sign_in"), "", body);
}

std::string notice(const Viewer& v, std::string_view key) {
  return layout(v.lang, tr(v.lang, key), nav(v),
                "<p class=\"error\">" + T(v.lang, key) + "</p><p><a href=\"/queue\">" + T(v.lang, "back") + "</a></p>");
}

std::string bulk_result(const Viewer& v, const json& results) {
  std::string rows;
  int done = 0;
  for (const auto& r : results) {
    if (r.value("ok", false)) {
      ++done;
      continue;
    }
    std::string id = r.value("id", "");
    rows += "<li><a href=\"/held/" + E(id) + "\">" + E(id) + "</a>: " + E(r.value("error", "")) + "</li>";
  }
  return layout(v.lang, tr(v.lang, "bulk_failed"), nav(v),
                "<p class=\"error\">" + T(v.lang, "bulk_failed") + "</p><ul class=\"bulk-failed\">" + rows +
                    "</ul><p>" + T(v.lang, "bulk_done") + ": " + std::to_string(done) + "</p><p><a href=\"/queue\">" +
                    T(v.lang, "back") + "</a></p>");
}

std::string bar_chart(const json& given, std::string_view title) {
  json pairs = json::array();  // only well-formed [label, count] entries
  for (const auto& p : given)
    if (p.is_array() && p.size() == 2 && p[1].is_number_integer()) pairs.push_back(p);
  std::int64_t max = 1;
  for (const auto& p : pairs) max = std::max(max, p.at(1).get<std::int64_t>());
  int rows = static_cast<int>(pairs.size());
  int h = 22 * std::max(rows, 1) + 8;
  std::string out = "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 640 " + std::to_string(h) +
                    "\" width=\"640\" height=\"" + std::to_string(h) + "\"><title>" + E(title) + "</title>";
  int y = 4;
  for (const auto& p : pairs) {
    std::int64_t n = p.at(1).get<std::int64_t>();
    int w = static_cast<int>(380 * n / max);
    std::string label = p.at(0).is_string() ? p.at(0).get<std::string>() : p.at(0).dump();
    if (label.size() > 60) label = label.substr(0, 60);
    out += "<text x=\"0\" y=\"" + std::to_string(y + 15) + "\" font-size=\"13\">" + E(label) + "</text>";
    out += "<rect x=\"220\" y=\"" + std::to_string(y + 3) + "\" width=\"" + std::to_string(std::max(w, 1)) +
           "\" height=\"16\" fill=\"#3b6fb6\"></rect>";
    out += "<text x=\"" + std::to_string(226 + w) + "\" y=\"" + std::to_string(y + 15) + "\" font-size=\"13\">" +
           std::to_string(n) + "</text>";
    y += 22;
  }
  return out + "</svg>";
}

namespace {

std::string minutes(Lang l, std::int64_t seconds) {
  return seconds < 0 ? std::string("-") : std::to_string((seconds + 59) / 60) + " " + tr(l, "minutes");
}

// Pending requests and decisions per approver (the API's approver load object).
std::string approver_table(Lang l, const json& load) {
  std::string out = "<h2>" + T(l, "approver_load") + "</h2><table class=\"approvers\" id=\"approvers\"><tr><th>" +
                    T(l, "approver_heading") + "</th><th>" + T(l, "pending") + "</th><th>" + T(l, "decided_count") +
                    "</th><th>" + T(l, "median_decision") + "</th></tr>";
  const json& rows = load.value("approvers", json::array());
  for (const auto& r : rows)
    out += "<tr><td>" + E(str(r, "approver")) + "</td><td>" + std::to_string(num(r, "pending")) + "</td><td>" +
           std::to_string(num(r, "decided")) + "</td><td>" + E(minutes(l, num(r, "median_decision_seconds"))) +
           "</td></tr>";
  if (rows.empty()) out += "<tr><td colspan=\"4\">" + T(l, "no_approvers") + "</td></tr>";
  return out + "</table>";
}

}  // namespace

std::string dashboard(const Viewer& v, const json& st, const json& approvers) {
  Lang l = v.lang;
  std::int64_t median = num(st, "median_decision_seconds");
  std::string body = "<h1>" + T(l, "dashboard") + " <small>" + T(l, "last_30_days") + "</small></h1>";
  body += "<ul class=\"figures\"><li>" + T(l, "pending") + ": <strong>" + std::to_string(num(st, "pending")) +
          "</strong></li><li>" + T(l, "decided_count") + ": <strong>" + std::to_string(num(st, "decided")) +
          "</strong></li><li>" + T(l, "median_decision") + ": <strong id=\"median\">" +
          E(minutes(l, median)) +
          "</strong></li></ul>";
  json unknown_fixed = json::array();
  for (const auto& p : st.value("per_department", json::array())) {
    std::string name = p.at(0).is_string() ? p.at(0).get<std::string>() : "";
    unknown_fixed.push_back(json::array({name.empty() ? tr(l, "unknown") : name, p.at(1)}));
  }
  body += "<h2>" + T(l, "held_per_day") + "</h2>" + bar_chart(st.value("per_day", json::array()), tr(l, "held_per_day"));
  body += "<h2>" + T(l, "held_per_reason") + "</h2>" +
          bar_chart(st.value("per_reason", json::array()), tr(l, "held_per_reason"));
  body += "<h2>" + T(l, "held_per_department") + "</h2>" + bar_chart(unknown_fixed, tr(l, "held_per_department"));
  if (approvers.is_object()) body += approver_table(l, approvers);
  return layout(l, tr(l, "dashboard"), nav(v), body);
}

namespace {

std::string option(std::string_view value, std::string_view label, std::string_view current) {
  return "<option value=\"" + E(value) + "\"" + (value == current ? " selected" : "") + ">" + E(label) + "</option>";
}

std::string filters(const Viewer& v, const QueueQuery& q) {
  Lang l = v.lang;
  std::string out = "<form method=\"get\" action=\"/queue\" class=\"filters\" id=\"filters\">";
  out += "<label>" + T(l, "search") + " <input type=\"search\" name=\"q\" id=\"search\" value=\"" + E(q.text) +
         "\" placeholder=\"" + T(l, "search_hint") + "\"></label>";
  out += "<label>" + T(l, "state") + " <select name=\"state\">" + option("", tr(l, "any"), q.state);
  for (const char* s : {"held", "approved", "rejected", "cancelled", "expired", "released", "returned", "failed"})
    out += option(s, tr(l, s), q.state);
  out += "</select></label>";
  out += "<label>" + T(l, "reason") + " <input name=\"reason\" value=\"" + E(q.reason) + "\" size=\"12\"></label>";
  out += "<label>" + T(l, "sender") + " <input name=\"sender\" value=\"" + E(q.sender) + "\" size=\"16\"></label>";
  out += "<label>" + T(l, "department") + " <input name=\"department\" value=\"" + E(q.department) +
         "\" size=\"10\"></label>";
  out += "<label>" + T(l, "min_age") + " <input name=\"min_age\" type=\"number\" min=\"0\" value=\"" +
         (q.min_age_days ? std::to_string(q.min_age_days) : "") + "\" size=\"4\"></label>";
  out += "<label>" + T(l, "sort") + " <select name=\"sort\" id=\"sort\">";
  for (const char* s : {"created_at", "sender", "subject", "state", "department", "size"})
    out += option(s, tr(l, ("sort_" + std::string(s)).c_str()), q.sort);
  out += "</select></label>";
  std::string order = q.descending ? "desc" : "asc";
  bool by_age = q.sort == "created_at";
  out += "<label>" + T(l, "order") + " <select name=\"order\" id=\"order\">" +
         option("desc", tr(l, by_age ? "newest" : "descending"), order) +
         option("asc", tr(l, by_age ? "oldest" : "ascending"), order) + "</select></label>";
  out += "<button type=\"submit\" id=\"apply\">" + T(l, "apply") + "</button></form>";
  return out;
}

std::string query_string(const QueueQuery& q, int page) {
  std::string s = "?page=" + std::to_string(page);
  auto add = [&](const char* k, const std::string& v) { if (!v.empty()) s += "&" + std::string(k) + "=" + url_encode(v); };
  add("q", q.text), add("state", q.state), add("reason", q.reason), add("sender", q.sender);
  add("department", q.department);
  if (q.min_age_days) s += "&min_age=" + std::to_string(q.min_age_days);
  if (q.sort != "created_at") add("sort", q.sort);
  if (!q.descending) s += "&order=asc";
  return s;
}

std::string row_html(Lang l, const json& r, bool can_decide) {
  std::string id = str(r, "id");
  std::string out = "<tr>";
  out += can_decide && str(r, "state") == "held"
             ? "<td><input type=\"checkbox\" name=\"ids\" value=\"" + E(id) + "\" form=\"bulk\" class=\"pick\"></td>"
             : std::string("<td></td>");
  out += "<td>" + E(when(num(r, "created_at"))) + "</td><td>" + state_badge(l, str(r, "state")) + "</td>";
  out += "<td>" + E(str(r, "sender")) + "</td><td><a class=\"subject\" href=\"/held/" + E(url_encode(id)) + "\">" +
         E(str(r, "subject").empty() ? std::string("(no subject)") : str(r, "subject")) + "</a></td><td>";
  for (const auto& reason : r.value("reasons", json::array()))
    out += "<span class=\"reason\">" + E(reason.is_string() ? reason.get<std::string>() : "") + "</span> ";
  out += "</td><td>" + E(str(r, "department")) + "</td></tr>";
  return out;
}

std::string pager(Lang l, const QueueQuery& q, std::int64_t total) {
  std::int64_t pages = std::max<std::int64_t>(1, (total + q.per_page - 1) / q.per_page);
  std::string out = "<p class=\"pager\">" + std::to_string(total) + " " + T(l, "total") + " · " + T(l, "page") + " " +
                    std::to_string(q.page) + " / " + std::to_string(pages) + " ";
  if (q.page > 1) out += "<a rel=\"prev\" href=\"/queue" + E(query_string(q, q.page - 1)) + "\">" + T(l, "prev") + "</a> ";
  if (q.page < pages)
    out += "<a rel=\"next\" href=\"/queue" + E(query_string(q, q.page + 1)) + "\">" + T(l, "next") + "</a>";
  return out + "</p>";
}

}  // namespace

std::string queue(const Viewer& v, const json& list, const QueueQuery& q) {
  Lang l = v.lang;
  bool can_decide = v.role != Role::Auditor;
  std::string body = "<h1>" + T(l, "queue") + "</h1>" + filters(v, q);
  const json& rows = list.value("rows", json::array());
  if (rows.empty()) body += "<p class=\"empty\">" + T(l, "none") + "</p>";
  body += "<table class=\"queue\" id=\"queue\"><thead><tr><th><input type=\"checkbox\" id=\"pick-all\" title=\"" +
          T(l, "select") + "\"></th><th>" + T(l, "held_at") + "</th><th>" + T(l, "state") + "</th><th>" +
          T(l, "sender") + "</th><th>" + T(l, "subject") + "</th><th>" + T(l, "reason") + "</th><th>" +
          T(l, "department") + "</th></tr></thead><tbody>";
  for (const auto& r : rows) body += row_html(l, r, can_decide);
  body += "</tbody></table>" + pager(l, q, num(list, "total"));
  if (can_decide)
    body += "<form method=\"post\" action=\"/bulk\" id=\"bulk\" class=\"bulk\">" + csrf_field(v) + "<label>" +
            T(l, "comment") + " <input name=\"comment\" maxlength=\"800\"></label><button name=\"action\" "
            "value=\"approve\" id=\"bulk-approve\">" + T(l, "bulk_approve") + "</button><button name=\"action\" "
            "value=\"reject\" id=\"bulk-reject\">" + T(l, "bulk_reject") + "</button></form>";
  return layout(l, tr(l, "queue"), nav(v), body);
}

namespace {

std::string recipients_table(Lang l, const json& list, const char* title_key, bool with_header) {
  std::string out = "<h2>" + T(l, title_key) + "</h2><ul class=\"rcpts\">";
  for (const auto& r : list) {
    out += "<li>";
    if (with_header) out += "<span class=\"hdr\">" + E(str(r, "header")) + ":</span> ";
    if (!str(r, "name").empty()) out += "<span class=\"dname\">" + E(str(r, "name")) + "</span> ";
    out += "&lt;" + E(str(r, "address")) + "&gt;" + marks(l, r) + "</li>";
  }
  return out + "</ul>";
}

std::string rules_html(Lang l, const json& rules) {
  std::string out = "<h2>" + T(l, "reasons") + "</h2><ul class=\"rules\" id=\"reasons\">";
  for (const auto& r : rules) {
    out += "<li><strong>" + E(str(r, "description")) + "</strong> <code>" + E(str(r, "id")) + "</code> → " +
           E(str(r, "action"));
    const json& facts = r.value("facts", json::object());
    if (!facts.empty()) {
      out += "<dl class=\"facts\">";
      for (auto it = facts.begin(); it != facts.end(); ++it)
        out += "<dt>" + E(it.key()) + "</dt><dd>" +
               E(it.value().is_string() ? it.value().get<std::string>() : it.value().dump()) + "</dd>";
      out += "</dl>";
    }
    out += "</li>";
  }
  return out + "</ul>";
}

std::string attachments_html(Lang l, const json& list) {
  if (list.empty()) return {};
  std::string out = "<h2>" + T(l, "attachments") + "</h2><table class=\"attachments\"><tr><th>" + T(l, "attachments") +
                    "</th><th>" + T(l, "type") + "</th><th>" + T(l, "size") + "</th><th></th></tr>";
  for (const auto& a : list) {
    out += "<tr><td>" + E(str(a, "name")) + "</td><td>" + E(str(a, "kind")) + " <small>" + E(str(a, "content_type")) +
           "</small></td><td>" + std::to_string(num(a, "size")) + " B</td><td>";
    if (a.value("encrypted", false))
      out += "<span class=\"mark danger\">" + T(l, "encrypted") + " " + E(str(a, "encryption")) + "</span> ";
    if (a.value("macros", false)) out += "<span class=\"mark danger\">" + T(l, "macros") + "</span> ";
    if (a.value("executable", false)) out += "<span class=\"mark danger\">" + T(l, "executable") + "</span> ";
    const json& hidden = a.value("hidden_sheets", json::array());
    if (!hidden.empty()) {
      out += "<span class=\"mark warn\">" + T(l, "hidden_sheets") + ":";
      for (const auto& h : hidden) out += " " + E(h.is_string() ? h.get<std::string>() : "");
      out += "</span>";
    }
    out += "</td></tr>";
  }
  return out + "</table>";
}

std::string audit_html(Lang l, const json& audit) {
  std::string out = "<h2>" + T(l, "audit") + "</h2><table class=\"audit\" id=\"audit\"><tr><th>" + T(l, "at") +
                    "</th><th>" + T(l, "actor") + "</th><th>" + T(l, "action") + "</th><th>" + T(l, "state") +
                    "</th><th>" + T(l, "comment") + "</th></tr>";
  for (const auto& a : audit)
    out += "<tr><td>" + E(when(num(a, "at"))) + "</td><td>" + E(str(a, "actor")) + " <small>" + E(str(a, "address")) +
           "</small></td><td>" + E(str(a, "action")) + "</td><td>" + E(str(a, "from_state")) + " → " +
           E(str(a, "to_state")) + "</td><td>" + E(str(a, "comment")) + "</td></tr>";
  return out + "</table>";
}

// What each recipient's release attempts came to; nothing before the first attempt.
std::string delivery_html(Lang l, const json& delivery) {
  if (!delivery.is_object() || delivery.empty()) return {};
  std::string out = "<h2>" + T(l, "delivery") + "</h2><table class=\"delivery\" id=\"delivery\"><tr><th>" +
                    T(l, "recipient") + "</th><th>" + T(l, "state") + "</th><th>" + T(l, "reply") + "</th></tr>";
  for (auto it = delivery.begin(); it != delivery.end(); ++it) {
    if (!it.value().is_object()) continue;
    std::string outcome = str(it.value(), "outcome");
    out += "<tr class=\"delivery-" + E(outcome) + "\"><td>" + E(it.key()) + "</td><td>" + T(l, "delivery_" + outcome) +
           "</td><td>" + E(str(it.value(), "reply")) + "</td></tr>";
  }
  return out + "</table>";
}

// The "approve as Bcc" choice, when the policy offered it: the button and the addresses it hides.
std::string bcc_choice(Lang l, const json& details) {
  const json& option = details.value("bcc_option", json());
  if (!option.is_object()) return {};
  std::string hidden;
  for (const auto& a : option.value("hidden", json::array())) hidden += "<li>" + E(a.is_string() ? a.get<std::string>() : "") + "</li>";
  return " <button name=\"action\" value=\"approve-bcc\" id=\"approve-bcc\">" + T(l, "approve_bcc") +
         "</button><div class=\"note\" id=\"bcc-note\">" + T(l, "approve_bcc_note") + "<ul class=\"hidden-rcpts\">" +
         hidden + "</ul></div>";
}

// Every text alternative as text (the API's "texts"; an older "body" string alone otherwise), each cut one
// marked (the API words the mark), and the differences between text and HTML first, where the approver cannot miss them.
std::string texts_html(Lang l, const json& m) {
  std::string out;
  const json& differ = m.value("alternatives_differ", json::array());
  if (!differ.empty()) {
    out += "<div class=\"mark danger\" id=\"alternatives-differ\" role=\"alert\">" + T(l, "alternatives_differ") + "<ul>";
    for (const auto& d : differ) out += "<li>" + E(d.is_string() ? d.get<std::string>() : "") + "</li>";
    out += "</ul></div>";
  }
  out += "<div id=\"body\">";
  const json& texts = m.value("texts", json());
  if (!texts.is_array()) return out + "<pre class=\"body\">" + E(str(m, "body")) + "</pre></div>";
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const json& t = texts[i];
    out += "<h3 class=\"alt\">" + E(str(t, "content_type")) + "</h3><pre class=\"body\" id=\"body-" +
           std::to_string(i) + "\">" + E(str(t, "text")) + "</pre>";
    if (t.value("truncated", false))
      out += "<p class=\"mark warn truncated\">" + E(str(t, l == Lang::Ja ? "mark_ja" : "mark_en")) + "</p>";
  }
  return out + "</div>";
}

std::string decide_form(const Viewer& v, const json& m) {
  Lang l = v.lang;
  if (v.role == Role::Auditor) return "<p class=\"note\">" + T(l, "read_only") + "</p>";
  if (str(m, "state") != "held") return {};
  return "<form method=\"post\" action=\"/held/" + E(url_encode(str(m, "id"))) + "/decide\" class=\"decide\" "
         "id=\"decide\">" + csrf_field(v) + "<label>" + T(l, "comment") +
         "<textarea name=\"comment\" maxlength=\"800\"></textarea></label><button name=\"action\" value=\"approve\" "
         "id=\"approve\">" + T(l, "approve") + "</button> <button name=\"action\" value=\"reject\" id=\"reject\">" +
         T(l, "reject") + "</button>" + bcc_choice(l, m.value("details", json::object())) + "</form>";
}

}  // namespace

std::string message(const Viewer& v, const json& m, std::string_view notice_key) {
  Lang l = v.lang;
  const json& d = m.value("details", json::object());
  std::string body = "<p><a href=\"/queue\">" + T(l, "back") + "</a></p>";
  if (!notice_key.empty()) body += "<p class=\"ok\" role=\"status\">" + T(l, notice_key) + "</p>";
  body += "<h1 id=\"subject\">" + E(str(m, "subject")) + "</h1><dl class=\"meta\">";
  body += "<dt>" + T(l, "state") + "</dt><dd id=\"state\">" + state_badge(l, str(m, "state")) + "</dd>";
  body += "<dt>" + T(l, "sender") + "</dt><dd id=\"sender\">" +
          (str(d, "from_name").empty() ? std::string() : "<span class=\"dname\">" + E(str(d, "from_name")) + "</span> ") +
          "&lt;" + E(str(m, "sender")) + "&gt;</dd>";
  body += "<dt>" + T(l, "department") + "</dt><dd>" + E(str(d, "department")) + "</dd>";
  body += "<dt>" + T(l, "held_at") + "</dt><dd>" + E(when(num(m, "created_at"))) + "</dd>";
  body += "<dt>" + T(l, "approvers") + "</dt><dd>";
  for (const auto& a : m.value("approvers", json::array())) body += E(a.is_string() ? a.get<std::string>() : "") + " ";
  body += "</dd></dl>" + decide_form(v, m);
  body += rules_html(l, d.value("rules", json::array()));
  body += recipients_table(l, d.value("recipients", json::array()), "envelope_rcpts", false);
  body += recipients_table(l, d.value("header_recipients", json::array()), "header_rcpts", true);
  body += attachments_html(l, m.value("attachments", json::array()));
  body += "<h2>" + T(l, "body") + "</h2><p class=\"note\">" + T(l, "html_note") + "</p>" + texts_html(l, m);
  body += delivery_html(l, m.value("delivery", json::object()));
  body += audit_html(l, m.value("audit", json::array()));
  return layout(l, str(m, "subject"), nav(v), body);
}

}  // namespace preflight::web::app_pages
