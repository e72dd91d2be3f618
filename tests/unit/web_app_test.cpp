// The approver web queue over real HTTP on a loopback port, with fake handlers: sign-in, sessions,
// CSRF on every POST, login rate limiting (429), scope (an approver sees only their mail; others' mail is
// 404 in pages and API), auditors read only, escaping of mail text, the CSP, and the language choice.
#include <doctest/doctest.h>
#include <httplib.h>

#include <mutex>

#include "preflight/web/password.hpp"
#include "preflight/web/server.hpp"

using namespace preflight::web;
using nlohmann::json;
using preflight::util::Error;
using preflight::util::Result;

namespace {

struct FakeApp {
  std::mutex mu;
  std::vector<AppDecision> decisions;
  std::vector<QueueQuery> queries;
  std::vector<std::string> load_scopes;  // scopes the approver load was asked for
  int message_reads = 0;                 // calls of the handler that reads the mail itself
  json mail = {{"id", "m1"}, {"state", "held"}, {"sender", "taro@example.co.jp"},
               {"subject", "<script>window.x=1</script>見積"}, {"approvers", {"boss@example.co.jp"}},
               {"details", {{"rules", {{{"id", "r1"}, {"description", "External <b>"}, {"facts", {{"f", "<i>"}}}}}}}},
               {"body", "<script>alert(1)</script>"}, {"audit", json::array()}};

  AppHandlers handlers() {
    AppHandlers h;
    h.account = [](const std::string& name) -> std::optional<Account> {
      static const std::string hash = *hash_password("pass-" + std::string("word"), 1000);
      if (name == "admin") return Account{"admin", "admin@example.co.jp", Role::Admin, hash};
      if (name == "boss") return Account{"boss", "boss@example.co.jp", Role::Approver, hash};
      if (name == "other") return Account{"other", "other@example.co.jp", Role::Approver, hash};
      if (name == "audit") return Account{"audit", "audit@example.co.jp", Role::Auditor, hash};
      return std::nullopt;
    };
    h.list = [this](const QueueQuery& q) -> Result<json> {
      std::lock_guard lock(mu);
      queries.push_back(q);
      bool visible = q.scope.empty() || q.scope == "boss@example.co.jp";
      json rows = visible ? json::array({mail}) : json::array();
      return json{{"total", rows.size()}, {"rows", rows}};
    };
    h.message = [this](const std::string& id) -> Result<std::optional<json>> {
      std::lock_guard lock(mu);
      ++message_reads;
      if (id != "m1") return std::optional<json>();
      return std::optional<json>(mail);
    };
    h.row = [this](const std::string& id) -> Result<std::optional<json>> {
      if (id != "m1") return std::optional<json>();
      return std::optional<json>(mail);
    };
    h.decide = [this](const AppDecision& d) -> Result<std::string> {
      std::lock_guard lock(mu);
      decisions.push_back(d);
      return std::string(d.action == "approve" ? "approved" : "rejected");
    };
    h.stats = [](const std::string&) -> Result<json> {
      auto one = [](const char* k, int n) { return json::array({json::array({k, n})}); };
      return json{{"per_day", one("2026-11-23", 3)}, {"per_reason", one("<r>", 2)}, {"per_department", one("", 1)},
                  {"pending", 3}, {"decided", 0}, {"median_decision_seconds", -1}};
    };
    h.approvers = [this](const std::string& scope) -> Result<json> {
      std::lock_guard lock(mu);
      load_scopes.push_back(scope);
      json rows = json::array();
      if (scope.empty() || scope == "boss@example.co.jp")
        rows.push_back({{"approver", "boss@example.co.jp"}, {"pending", 4}, {"decided", 7},
                        {"median_decision_seconds", 1500}});
      if (scope.empty())
        rows.push_back({{"approver", "<b>x@example.co.jp"}, {"pending", 1}, {"decided", 0},
                        {"median_decision_seconds", -1}});
      return json{{"days", 30}, {"approvers", rows}};
    };
    return h;
  }
  std::size_t calls() {
    std::lock_guard lock(mu);
    return decisions.size();
  }
};

constexpr const char* kProxySecret = "proxy-secret-0123456789";

struct App {
  FakeApp fake;
  WebServer server;
  int port = 0;
  explicit App(bool secure = false, std::vector<std::string> trusted_proxies = {})
      : server(WebSettings{"127.0.0.1", 0, "key-0123456789abcdef", secure, std::move(trusted_proxies)},
               LinkHandlers{[](const std::string&) { return std::optional<MessageSummary>(); },
                            [](const LinkDecision&) -> Result<std::string> { return Error{"no"}; }},
               fake.handlers(), AppSettings{"X-Remote-User", 3600, {}, kProxySecret}) {
    auto p = server.start();
    REQUIRE(p.ok());
    port = *p;
  }
  httplib::Client client() const { return httplib::Client("127.0.0.1", port); }
};

std::string cookie_from(const httplib::Result& res, const std::string& name) {
  for (std::size_t i = 0; i < res->get_header_value_count("Set-Cookie"); ++i) {
    std::string c = res->get_header_value("Set-Cookie", i);
    if (c.rfind(name + "=", 0) == 0) return c.substr(name.size() + 1, c.find(';') - name.size() - 1);
  }
  return {};
}

std::string hidden_csrf(const std::string& body) {
  std::string marker = "name=\"csrf\" value=\"";
  auto at = body.find(marker);
  if (at == std::string::npos) return {};
  at += marker.size();
  return body.substr(at, body.find('"', at) - at);
}

// Signs in; returns the session cookie ("" when refused) and the last status. `extra` goes with both
// requests (e.g. the X-Forwarded-For a proxy adds).
std::pair<std::string, int> sign_in(httplib::Client& c, const std::string& user, const std::string& password,
                                    const httplib::Headers& extra = {}) {
  auto page = c.Get("/login", extra);
  std::string token = cookie_from(page, "pf_login");
  httplib::Headers h{{"Cookie", "pf_login=" + token}};
  h.insert(extra.begin(), extra.end());
  auto res = c.Post("/login", h, httplib::Params{{"csrf", token}, {"user", user}, {"password", password}});
  return {cookie_from(res, "pf_session"), res->status};
}

struct Signed {
  httplib::Headers cookie;
  std::string csrf;
};

Signed session_of(httplib::Client& c, const std::string& user) {
  auto [session, status] = sign_in(c, user, "pass-word");
  REQUIRE(status == 303);
  REQUIRE(session.size() == 64);
  httplib::Headers h{{"Cookie", "pf_session=" + session}};
  auto me = c.Get("/api/me", h);
  REQUIRE(me->status == 200);
  return {h, json::parse(me->body)["csrf"].get<std::string>()};
}

}  // namespace

TEST_CASE("web app: sign-in sets a HttpOnly SameSite=Strict session; pages need it") {
  App app;
  auto c = app.client();
  auto queue = c.Get("/queue");
  CHECK(queue->status == 303);
  CHECK(queue->get_header_value("Location") == "/login");
  CHECK(c.Get("/api/held")->status == 401);
  auto page = c.Get("/login");
  std::string token = cookie_from(page, "pf_login");
  auto res = c.Post("/login", httplib::Headers{{"Cookie", "pf_login=" + token}},
                    httplib::Params{{"csrf", token}, {"user", "boss"}, {"password", "pass-word"}});
  REQUIRE(res->status == 303);
  std::string set = res->get_header_value("Set-Cookie");
  CHECK(set.find("HttpOnly") != std::string::npos);
  CHECK(set.find("SameSite=Strict") != std::string::npos);
  Signed s = session_of(c, "boss");
  auto list = c.Get("/queue", s.cookie);
  CHECK(list->status == 200);
  CHECK(list->get_header_value("Content-Security-Policy").find("script-src 'self'") != std::string::npos);
  CHECK(list->get_header_value("X-Frame-Options") == "DENY");
  auto out = c.Post("/logout", s.cookie, httplib::Params{{"csrf", s.csrf}});
  CHECK(out->status == 303);
  CHECK(out->get_header_value("Set-Cookie").find("Max-Age=0") != std::string::npos);
  CHECK(c.Get("/api/me", s.cookie)->status == 401);  // the session is gone on the server too
}

TEST_CASE("web app: sign-in without its CSRF token is refused; wrong passwords are rate-limited") {
  App app;
  auto c = app.client();
  auto no_token = c.Post("/login", httplib::Params{{"user", "boss"}, {"password", "pass-word"}});
  CHECK(no_token->status == 403);
  for (int i = 0; i < 5; ++i) CHECK(sign_in(c, "audit", "wrong").second == 401);
  auto locked = sign_in(c, "audit", "pass-word");
  CHECK(locked.second == 429);
  CHECK(locked.first.empty());
  CHECK(sign_in(c, "boss", "pass-word").second == 303);  // another account is not locked
  CHECK(sign_in(c, "nobody", "pass-word").second == 401);
}

TEST_CASE("web app: every POST needs the session's CSRF token") {
  App app;
  auto c = app.client();
  Signed s = session_of(c, "boss");
  CHECK(hidden_csrf(c.Get("/held/m1", s.cookie)->body) == s.csrf);  // the forms carry the session's token
  CHECK(c.Post("/api/held/m1/approve", s.cookie, "{}", "application/json")->status == 403);
  httplib::Headers wrong = s.cookie;
  wrong.emplace("X-CSRF-Token", std::string(64, 'a'));
  CHECK(c.Post("/api/held/m1/approve", wrong, "{}", "application/json")->status == 403);
  CHECK(c.Post("/held/m1/decide", s.cookie, httplib::Params{{"action", "approve"}})->status == 403);
  CHECK(c.Post("/api/held/bulk", s.cookie, R"({"ids":["m1"],"action":"approve"})", "application/json")->status == 403);
  CHECK(app.fake.calls() == 0);
  httplib::Headers right = s.cookie;
  right.emplace("X-CSRF-Token", s.csrf);
  auto ok = c.Post("/api/held/m1/approve", right, R"({"comment":"fine"})", "application/json");
  CHECK(ok->status == 200);
  CHECK(json::parse(ok->body)["state"] == "approved");
  REQUIRE(app.fake.calls() == 1);
  CHECK(app.fake.decisions[0].actor == "boss@example.co.jp");
  CHECK(app.fake.decisions[0].comment == "fine");
  CHECK_FALSE(app.fake.decisions[0].admin);
  auto form = c.Post("/held/m1/decide", s.cookie, httplib::Params{{"csrf", s.csrf}, {"action", "reject"}});
  CHECK(form->status == 303);
  CHECK(app.fake.calls() == 2);
}

TEST_CASE("web app: an approver outside the scope gets 404; an auditor reads but may not decide") {
  App app;
  auto c = app.client();
  Signed other = session_of(c, "other");
  CHECK(c.Get("/held/m1", other.cookie)->status == 404);
  CHECK(c.Get("/api/held/m1", other.cookie)->status == 404);
  CHECK(json::parse(c.Get("/api/held", other.cookie)->body)["total"] == 0);
  httplib::Headers h = other.cookie;
  h.emplace("X-CSRF-Token", other.csrf);
  CHECK(c.Post("/api/held/m1/approve", h, "{}", "application/json")->status == 404);
  Signed audit = session_of(c, "audit");
  CHECK(c.Get("/api/held/m1", audit.cookie)->status == 200);
  httplib::Headers a = audit.cookie;
  a.emplace("X-CSRF-Token", audit.csrf);
  CHECK(c.Post("/api/held/m1/approve", a, "{}", "application/json")->status == 403);
  auto bulk = c.Post("/api/held/bulk", a, R"({"ids":["m1"],"action":"approve"})", "application/json");
  CHECK(bulk->status == 403);
  CHECK(app.fake.calls() == 0);
  Signed admin = session_of(c, "admin");
  httplib::Headers ad = admin.cookie;
  ad.emplace("X-CSRF-Token", admin.csrf);
  auto done = c.Post("/api/held/bulk", ad, R"({"ids":["m1","nope"],"action":"approve"})", "application/json");
  auto results = json::parse(done->body)["results"];
  CHECK(results[0]["ok"] == true);
  CHECK(results[1]["status"] == 404);
  CHECK(app.fake.decisions.at(0).admin);
}

TEST_CASE("web app: mail text is escaped; no script from mail in any page") {
  App app;
  auto c = app.client();
  Signed s = session_of(c, "boss");
  for (const char* path : {"/queue", "/held/m1", "/dashboard"}) {
    auto res = c.Get(path, s.cookie);
    REQUIRE(res->status == 200);
    CHECK(res->body.find("<script>") == std::string::npos);
    CHECK(res->body.find("<b>") == std::string::npos);
    CHECK(res->body.find("<script src=\"/static/app.js\" defer></script>") != std::string::npos);
  }
  auto msg = c.Get("/held/m1", s.cookie);
  CHECK(msg->body.find("&lt;script&gt;window.x=1&lt;/script&gt;見積") != std::string::npos);
  CHECK(msg->body.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  auto js = c.Get("/static/app.js");
  CHECK(js->status == 200);
  CHECK(js->get_header_value("Content-Type").find("javascript") != std::string::npos);
}

TEST_CASE("web app: Japanese by default and for Accept-Language ja; English when asked; the switch sets a cookie") {
  App app;
  auto c = app.client();
  CHECK(c.Get("/login")->body.find("サインイン") != std::string::npos);
  CHECK(c.Get("/login", httplib::Headers{{"Accept-Language", "en-US,en;q=0.9"}})->body.find("Sign in") !=
        std::string::npos);
  CHECK(c.Get("/login", httplib::Headers{{"Accept-Language", "ja,en;q=0.5"}})->body.find("サインイン") !=
        std::string::npos);
  CHECK(c.Get("/login", httplib::Headers{{"Cookie", "pf_lang=en"}, {"Accept-Language", "ja"}})->body.find("Sign in") !=
        std::string::npos);
  auto sw = c.Get("/lang?to=en&back=%2F%2Fevil.example");
  CHECK(sw->status == 303);
  CHECK(sw->get_header_value("Location") == "/queue");  // never off-site
  CHECK(cookie_from(sw, "pf_lang") == "en");
  // Browsers drop tabs and line breaks from URLs and read '\' as '/': each of these would be "//evil".
  for (const char* back : {"%2F%09%2Fevil.example", "%2F%5Cevil.example", "%2F%0A%2Fevil.example", "evil.example",
                           "%2F%20%2Fevil.example"})
    CHECK(c.Get(std::string("/lang?to=en&back=") + back)->get_header_value("Location") == "/queue");
  CHECK(c.Get("/lang?to=en&back=%2Fheld%2Fm1")->get_header_value("Location") == "/held/m1");
}

TEST_CASE("web app: the trusted proxy header signs in the named account only, and only with the proxy's secret") {
  App app;
  auto c = app.client();
  CHECK(c.Get("/api/me", httplib::Headers{{"X-Remote-User", "boss"}})->status == 401);  // any local process
  CHECK(c.Get("/api/me", httplib::Headers{{"X-Remote-User", "boss"}, {"X-Preflight-Proxy-Secret", "guess"}})->status ==
        401);
  auto res = c.Get("/api/me", httplib::Headers{{"X-Remote-User", "boss"}, {"X-Preflight-Proxy-Secret", kProxySecret}});
  REQUIRE(res->status == 200);
  CHECK(json::parse(res->body)["name"] == "boss");
  auto nobody = c.Get("/api/me", httplib::Headers{{"X-Remote-User", "nobody"}, {"X-Preflight-Proxy-Secret", kProxySecret}});
  CHECK(nobody->status == 401);
  CHECK(cookie_from(nobody, "pf_session").empty());  // no session (and no stored row) for a non-account
}

TEST_CASE("web app: bulk decisions approve or reject only; broken JSON bodies are 400, never guessed") {
  App app;
  auto c = app.client();
  Signed s = session_of(c, "boss");
  httplib::Headers h = s.cookie;
  h.emplace("X-CSRF-Token", s.csrf);
  auto bulk = [&](const std::string& body) { return c.Post("/api/held/bulk", h, body, "application/json")->status; };
  CHECK(bulk(R"({"ids": ["m1"], "action": "approve-bcc"})") == 400);  // Bcc is chosen one message at a time
  CHECK(bulk(R"({"ids": "m1", "action": "approve"})") == 400);
  CHECK(bulk(R"({"ids": ["m1", 7], "action": "approve"})") == 400);
  CHECK(bulk(R"({"ids": ["m1"], "action": "approve")") == 400);  // truncated
  CHECK(c.Post("/api/held/m1/approve", h, R"({"comment": "trunc)", "application/json")->status == 400);
  CHECK(app.fake.calls() == 0);
  httplib::Params form{{"csrf", s.csrf}, {"ids", "m1"}, {"action", "approve-bcc"}};
  CHECK(c.Post("/bulk", s.cookie, form)->status == 400);
  CHECK(app.fake.calls() == 0);
  CHECK(c.Post("/api/held/m1/approve-bcc", h, R"({"comment": "as bcc"})", "application/json")->status == 200);
  REQUIRE(app.fake.calls() == 1);
  CHECK(app.fake.decisions[0].action == "approve-bcc");
  CHECK(bulk(R"({"ids": ["m1"], "action": "reject"})") == 200);
  CHECK(app.fake.calls() == 2);
}

TEST_CASE("web app: the approver load is everyone's for administrators and auditors, one's own for an approver") {
  App app;
  auto c = app.client();
  CHECK(c.Get("/api/approvers")->status == 401);
  Signed admin = session_of(c, "admin");
  auto all = c.Get("/api/approvers", admin.cookie);
  REQUIRE(all->status == 200);
  json j = json::parse(all->body);
  CHECK(j["days"] == 30);
  CHECK(j["approvers"].size() == 2);
  CHECK(j["approvers"][0]["median_decision_seconds"] == 1500);
  Signed boss = session_of(c, "boss");
  auto mine = json::parse(c.Get("/api/approvers", boss.cookie)->body);
  REQUIRE(mine["approvers"].size() == 1);
  CHECK(mine["approvers"][0]["approver"] == "boss@example.co.jp");
  Signed audit = session_of(c, "audit");
  CHECK(json::parse(c.Get("/api/approvers", audit.cookie)->body)["approvers"].size() == 2);
  std::lock_guard lock(app.fake.mu);
  CHECK(app.fake.load_scopes == std::vector<std::string>{"", "boss@example.co.jp", ""});
}

TEST_CASE("web app: the dashboard shows the approver load table in Japanese and English, names escaped") {
  App app;
  auto c = app.client();
  Signed admin = session_of(c, "admin");
  auto ja = c.Get("/dashboard", admin.cookie);
  REQUIRE(ja->status == 200);
  CHECK(ja->body.find("<table class=\"approvers\" id=\"approvers\">") != std::string::npos);
  CHECK(ja->body.find("承認者ごとの負荷") != std::string::npos);
  CHECK(ja->body.find("<tr><td>boss@example.co.jp</td><td>4</td><td>7</td><td>25 分</td></tr>") != std::string::npos);
  CHECK(ja->body.find("<td>&lt;b&gt;x@example.co.jp</td><td>1</td><td>0</td><td>-</td>") != std::string::npos);
  httplib::Headers en = admin.cookie;
  en.begin()->second += "; pf_lang=en";
  auto page = c.Get("/dashboard", en);
  REQUIRE(page->status == 200);
  CHECK(page->body.find("Load per approver") != std::string::npos);
  CHECK(page->body.find("<td>25 min</td>") != std::string::npos);
}

TEST_CASE("web app: the message page shows every text part, marks a cut one and warns when alternatives differ") {
  App app;
  app.fake.mail.erase("body");
  app.fake.mail["texts"] = json::array(
      {{{"content_type", "text/plain"}, {"text", "pay to 1234567"}, {"bytes", 14}, {"truncated", false}},
       {{"content_type", "text/html"}, {"text", "pay to <9876543>"}, {"bytes", 215040}, {"truncated", true},
        {"mark_ja", "…（64 KiB で省略、全体 210 KiB）"}, {"mark_en", "… (truncated at 64 KiB of 210 KiB)"}}});
  app.fake.mail["alternatives_differ"] = json::array({"only in text/html: 9876543"});
  app.fake.mail["delivery"] = {{"gone@partner.example.com", {{"outcome", "failed"}, {"reply", "RCPT TO: 550 <x>"}}}};
  auto c = app.client();
  Signed s = session_of(c, "boss");
  auto page = c.Get("/held/m1", s.cookie)->body;  // Japanese by default
  CHECK(page.find("id=\"body-0\">pay to 1234567</pre>") != std::string::npos);
  CHECK(page.find("id=\"body-1\">pay to &lt;9876543&gt;</pre>") != std::string::npos);
  CHECK(page.find("…（64 KiB で省略、全体 210 KiB）") != std::string::npos);
  CHECK(page.find("id=\"alternatives-differ\"") < page.find("id=\"body\""));  // the warning comes first
  CHECK(page.find("<li>only in text/html: 9876543</li>") != std::string::npos);
  CHECK(page.find("RCPT TO: 550 &lt;x&gt;") != std::string::npos);
  CHECK(page.find("配信不能") != std::string::npos);
  CHECK(page.find(">text/plain</h3>") < page.find(">text/html</h3>"));
  app.fake.mail["alternatives_differ"] = json::array();
  app.fake.mail["texts"][1]["truncated"] = false;
  page = c.Get("/held/m1", s.cookie)->body;
  CHECK(page.find("alternatives-differ") == std::string::npos);
  CHECK(page.find("で省略") == std::string::npos);
}

TEST_CASE("web app: behind a trusted proxy, 20 bad sign-ins from one client do not lock out another") {
  struct Case {
    std::vector<std::string> trusted;
    int expected;  // the other client's sign-in
  };
  // Without the proxy in trusted_proxies every client has the proxy's address: one attacker locks out all.
  for (const Case& c : {Case{{"127.0.0.1"}, 303}, Case{{}, 429}}) {
    CAPTURE(c.trusted.size());
    App app(false, c.trusted);
    auto client = app.client();
    httplib::Headers attacker{{"X-Forwarded-For", "198.51.100.7, 203.0.113.9"}};  // the proxy appended .9
    for (int i = 0; i < 20; ++i) CHECK(sign_in(client, "guess" + std::to_string(i), "wrong", attacker).second == 401);
    CHECK(sign_in(client, "boss", "pass-word", attacker).second == 429);  // the attacker is locked out
    httplib::Headers colleague{{"X-Forwarded-For", "192.0.2.44"}};
    CHECK(sign_in(client, "boss", "pass-word", colleague).second == c.expected);
  }
}

TEST_CASE("web app: decisions record the client behind a trusted proxy; a forwarded address from others is ignored") {
  for (bool trusted : {true, false}) {
    CAPTURE(trusted);
    App app(false, trusted ? std::vector<std::string>{"127.0.0.1"} : std::vector<std::string>{});
    auto c = app.client();
    Signed s = session_of(c, "boss");
    httplib::Headers h = s.cookie;
    h.emplace("X-CSRF-Token", s.csrf);
    h.emplace("X-Forwarded-For", "192.0.2.44");
    REQUIRE(c.Post("/api/held/m1/approve", h, "{}", "application/json")->status == 200);
    REQUIRE(app.fake.calls() == 1);
    CHECK(app.fake.decisions[0].address == (trusted ? "192.0.2.44" : "127.0.0.1"));
  }
}

TEST_CASE("web app: a sign-in token the browser invents is refused; only a server-issued one works") {
  App app;
  auto c = app.client();
  std::string invented(64, 'a');
  auto res = c.Post("/login", httplib::Headers{{"Cookie", "pf_login=" + invented}},
                    httplib::Params{{"csrf", invented}, {"user", "boss"}, {"password", "pass-word"}});
  CHECK(res->status == 403);
  CHECK(cookie_from(res, "pf_session").empty());
  auto page = c.Get("/login", httplib::Headers{{"Cookie", "pf_login=" + invented}});
  CHECK(cookie_from(page, "pf_login") != invented);  // replaced, never adopted
  CHECK(sign_in(c, "boss", "pass-word").second == 303);
}

TEST_CASE("web app: Secure cookies carry the __Host- prefix with Path=/") {
  App app(true);
  auto c = app.client();
  auto page = c.Get("/login");
  std::string set = page->get_header_value("Set-Cookie");
  CHECK(set.rfind("__Host-pf_login=", 0) == 0);
  CHECK(set.find("; Path=/;") != std::string::npos);
  CHECK(set.find("Secure") != std::string::npos);
  std::string token = cookie_from(page, "__Host-pf_login");
  auto res = c.Post("/login", httplib::Headers{{"Cookie", "__Host-pf_login=" + token}},
                    httplib::Params{{"csrf", token}, {"user", "boss"}, {"password", "pass-word"}});
  REQUIRE(res->status == 303);
  std::string session = res->get_header_value("Set-Cookie");
  CHECK(session.rfind("__Host-pf_session=", 0) == 0);
  CHECK(session.find("Path=/;") != std::string::npos);
  CHECK(session.find("Secure") != std::string::npos);
  std::string id = cookie_from(res, "__Host-pf_session");
  CHECK(c.Get("/api/me", httplib::Headers{{"Cookie", "__Host-pf_session=" + id}})->status == 200);
  CHECK(c.Get("/api/me", httplib::Headers{{"Cookie", "pf_session=" + id}})->status == 401);  // the prefix is the name
}

TEST_CASE("web app: a bulk decision in the form reports each message that failed; scope is checked on the row") {
  App app;
  auto c = app.client();
  Signed s = session_of(c, "boss");
  int reads = app.fake.message_reads;
  httplib::Params form{{"csrf", s.csrf}, {"ids", "m1"}, {"ids", "m404"}, {"action", "approve"}};
  auto res = c.Post("/bulk", s.cookie, form);
  CHECK(res->status == 409);
  CHECK(res->body.find("m404") != std::string::npos);
  CHECK(res->body.find("not found") != std::string::npos);
  CHECK(res->body.find("href=\"/held/m1\"") == std::string::npos);  // m1 went through: not listed as failed
  CHECK(app.fake.calls() == 1);
  CHECK(app.fake.message_reads == reads);  // the decisions read no mail
  auto ok = c.Post("/bulk", s.cookie, httplib::Params{{"csrf", s.csrf}, {"ids", "m1"}, {"action", "reject"}});
  CHECK(ok->status == 303);
}
