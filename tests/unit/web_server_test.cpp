// The action-link web server over real HTTP on a loopback port: GET never decides, POST needs a valid
// token and a matching CSRF cookie + field, mail content is escaped, security headers on every response.
#include <doctest/doctest.h>
#include <httplib.h>

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "preflight/web/server.hpp"

using namespace preflight::web;
using preflight::util::Error;
using preflight::util::Result;

namespace {

const std::string kKey = "test-key-0123456789abcdef";

std::int64_t now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string token_for(LinkAction action, std::string id = "msg-1", std::int64_t ttl = 3600) {
  return sign_link(LinkClaims{std::move(id), "boss@example.jp", action, now() + ttl}, kKey);
}

// Handlers that record every decide call; they run on the server's worker threads.
struct Fake {
  std::mutex mu;
  std::vector<LinkDecision> decisions;
  MessageSummary summary{"msg-1", "sender@example.jp", "Quarterly report", "held",
                         {"a@partner.example", "b@partner.example"}, {"external recipients"}};
  std::string decide_error;  // non-empty: decide fails with this

  LinkHandlers handlers() {
    return LinkHandlers{
        [this](const std::string& id) -> std::optional<MessageSummary> {
          std::lock_guard lock(mu);
          if (id != summary.id) return std::nullopt;
          return summary;
        },
        [this](const LinkDecision& d) -> Result<std::string> {
          std::lock_guard lock(mu);
          decisions.push_back(d);
          if (!decide_error.empty()) return Error{decide_error};
          return std::string("approved");
        }};
  }
  std::size_t calls() {
    std::lock_guard lock(mu);
    return decisions.size();
  }
};

struct Running {
  Fake fake;
  WebServer server;
  int port = 0;
  explicit Running(bool secure = false)
      : server(WebSettings{"127.0.0.1", 0, kKey, secure}, fake.handlers()) {
    auto p = server.start();
    REQUIRE(p.ok());
    port = *p;
  }
  httplib::Client client() const { return httplib::Client("127.0.0.1", port); }
};

std::string csrf_cookie(const httplib::Result& res) {
  std::string set = res->get_header_value("Set-Cookie");
  std::string prefix = "pf_csrf=";
  REQUIRE(set.rfind(prefix, 0) == 0);
  return set.substr(prefix.size(), set.find(';') - prefix.size());
}

std::string hidden_csrf(const std::string& body) {
  std::string marker = "name=\"csrf\" value=\"";
  auto at = body.find(marker);
  REQUIRE(at != std::string::npos);
  at += marker.size();
  return body.substr(at, body.find('"', at) - at);
}

void check_security_headers(const httplib::Result& res) {
  CHECK(res->get_header_value("Content-Type") == "text/html; charset=utf-8");
  CHECK(res->get_header_value("Cache-Control") == "no-store");
  CHECK(res->get_header_value("Referrer-Policy") == "no-referrer");
  CHECK(res->get_header_value("X-Content-Type-Options") == "nosniff");
  CHECK(res->get_header_value("X-Frame-Options") == "DENY");
  CHECK(res->get_header_value("Content-Security-Policy") ==
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
  CHECK(res->body.find("<script") == std::string::npos);
}

}  // namespace

TEST_CASE("web: GET shows the confirmation page and never decides") {
  Running r;
  auto cli = r.client();
  std::string token = token_for(LinkAction::Approve);
  auto res = cli.Get(("/link/" + token).c_str());
  REQUIRE(res);
  CHECK(res->status == 200);
  check_security_headers(res);
  CHECK(res->body.find("承認する / Approve") != std::string::npos);
  CHECK(res->body.find("sender@example.jp") != std::string::npos);
  CHECK(res->body.find("Quarterly report") != std::string::npos);
  CHECK(res->body.find("b@partner.example") != std::string::npos);
  CHECK(res->body.find("external recipients") != std::string::npos);
  CHECK(res->body.find("<form method=\"post\" action=\"/link/" + token + "\">") != std::string::npos);
  CHECK(res->body.find("<textarea") != std::string::npos);
  CHECK(res->body.find("maxlength=\"800\"") != std::string::npos);
  std::string set = res->get_header_value("Set-Cookie");
  CHECK(set.find("; Path=/link; HttpOnly; SameSite=Strict") != std::string::npos);
  CHECK(set.find("Secure") == std::string::npos);
  std::string cookie = csrf_cookie(res);
  CHECK(cookie.size() == 64);
  CHECK(hidden_csrf(res->body) == cookie);
  CHECK(r.fake.calls() == 0);
}

TEST_CASE("web: each action has its own button") {
  Running r;
  auto cli = r.client();
  auto reject = cli.Get(("/link/" + token_for(LinkAction::Reject)).c_str());
  REQUIRE(reject);
  CHECK(reject->body.find("却下する / Reject") != std::string::npos);
  auto cancel = cli.Get(("/link/" + token_for(LinkAction::Cancel)).c_str());
  REQUIRE(cancel);
  CHECK(cancel->body.find("送信を取り消す / Cancel sending") != std::string::npos);
}

TEST_CASE("web: the Secure cookie attribute follows the setting") {
  Running r(true);
  auto res = r.client().Get(("/link/" + token_for(LinkAction::Approve)).c_str());
  REQUIRE(res);
  CHECK(res->get_header_value("Set-Cookie").find("; Secure") != std::string::npos);
}

TEST_CASE("web: forged, expired or malformed tokens get 403 and no decision") {
  Running r;
  auto cli = r.client();
  std::string good = token_for(LinkAction::Approve);
  std::string forged = good;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  struct Case {
    std::string token, why;
  };
  for (const Case& c : {Case{forged, "invalid signature"}, Case{token_for(LinkAction::Approve, "msg-1", -5),
                                                                  "link expired"},
                        Case{"not-a-token", "malformed link"}}) {
    CAPTURE(c.why);
    auto get = cli.Get(("/link/" + c.token).c_str());
    REQUIRE(get);
    CHECK(get->status == 403);
    CHECK(get->body.find(c.why) != std::string::npos);
    check_security_headers(get);
    auto post = cli.Post(("/link/" + c.token).c_str(), {{"Cookie", "pf_csrf=" + std::string(64, 'a')}},
                         httplib::Params{{"csrf", std::string(64, 'a')}, {"comment", ""}});
    REQUIRE(post);
    CHECK(post->status == 403);
  }
  CHECK(r.fake.calls() == 0);
}

TEST_CASE("web: POST without a matching CSRF cookie and field is refused") {
  Running r;
  auto cli = r.client();
  std::string path = "/link/" + token_for(LinkAction::Approve);
  auto page = cli.Get(path.c_str());
  REQUIRE(page);
  std::string cookie = csrf_cookie(page);
  std::string other = cookie;
  other[0] = other[0] == 'a' ? 'b' : 'a';
  struct Case {
    httplib::Headers headers;
    httplib::Params params;
  };
  for (const Case& c : {Case{{}, {{"comment", "x"}}},                                          // nothing
                        Case{{}, {{"csrf", cookie}}},                                          // field only
                        Case{{{"Cookie", "pf_csrf=" + cookie}}, {{"comment", "x"}}},           // cookie only
                        Case{{{"Cookie", "pf_csrf=" + cookie}}, {{"csrf", other}}},            // mismatch
                        Case{{{"Cookie", "pf_csrf="}}, {{"csrf", ""}}}}) {                     // both empty
    auto res = cli.Post(path.c_str(), c.headers, c.params);
    REQUIRE(res);
    CHECK(res->status == 403);
    CHECK(res->body.find("CSRF check failed") != std::string::npos);
    check_security_headers(res);
  }
  CHECK(r.fake.calls() == 0);
}

TEST_CASE("web: POST with cookie and field decides once") {
  Running r;
  auto cli = r.client();
  std::string path = "/link/" + token_for(LinkAction::Reject);
  auto page = cli.Get(path.c_str());
  REQUIRE(page);
  std::string csrf = hidden_csrf(page->body);
  auto res = cli.Post(path.c_str(), {{"Cookie", "other=1; pf_csrf=" + csrf}},
                      httplib::Params{{"csrf", csrf}, {"comment", "宛先を確認しました & OK"}});
  REQUIRE(res);
  CHECK(res->status == 200);
  check_security_headers(res);
  CHECK(res->body.find("approved") != std::string::npos);
  REQUIRE(r.fake.calls() == 1);
  const LinkDecision& d = r.fake.decisions[0];
  CHECK(d.claims.message_id == "msg-1");
  CHECK(d.claims.actor == "boss@example.jp");
  CHECK(d.claims.action == LinkAction::Reject);
  CHECK(d.comment == "宛先を確認しました & OK");
  CHECK_FALSE(d.remote_addr.empty());
}

TEST_CASE("web: a refused decision shows 409 with the reason") {
  Running r;
  r.fake.decide_error = "already approved <b>";
  auto cli = r.client();
  std::string path = "/link/" + token_for(LinkAction::Approve);
  std::string csrf(64, 'c');
  auto res = cli.Post(path.c_str(), {{"Cookie", "pf_csrf=" + csrf}}, httplib::Params{{"csrf", csrf}});
  REQUIRE(res);
  CHECK(res->status == 409);
  CHECK(res->body.find("already approved &lt;b&gt;") != std::string::npos);
  CHECK(r.fake.calls() == 1);
}

TEST_CASE("web: an overlong comment is refused without a decision") {
  Running r;
  auto cli = r.client();
  std::string path = "/link/" + token_for(LinkAction::Approve);
  std::string csrf(64, 'c');
  auto res = cli.Post(path.c_str(), {{"Cookie", "pf_csrf=" + csrf}},
                      httplib::Params{{"csrf", csrf}, {"comment", std::string(5000, 'x')}});
  REQUIRE(res);
  CHECK(res->status == 413);
  auto huge = cli.Post(path.c_str(), {{"Cookie", "pf_csrf=" + csrf}},
                       httplib::Params{{"csrf", csrf}, {"padding", std::string(100000, 'x')}});
  REQUIRE(huge);
  CHECK(huge->status == 413);
  check_security_headers(huge);
  auto not_a_form = cli.Post(path.c_str(), {{"Cookie", "pf_csrf=" + csrf}}, std::string(100000, 'x'),
                             "text/plain");
  REQUIRE(not_a_form);
  CHECK(not_a_form->status == 413);
  CHECK(r.fake.calls() == 0);
}

TEST_CASE("web: a comment as long as the textarea allows still fits") {
  Running r;
  std::string comment;
  for (int i = 0; i < 800; ++i) comment += "あ";  // 9 bytes each once URL-encoded
  std::string csrf(64, 'c');
  auto res = r.client().Post(("/link/" + token_for(LinkAction::Approve)).c_str(),
                             {{"Cookie", "pf_csrf=" + csrf}}, httplib::Params{{"csrf", csrf}, {"comment", comment}});
  REQUIRE(res);
  CHECK(res->status == 200);
  REQUIRE(r.fake.calls() == 1);
  CHECK(r.fake.decisions[0].comment == comment);
}

TEST_CASE("web: hostile mail content is shown escaped") {
  Running r;
  r.fake.summary.subject = "<script>alert(1)</script>";
  r.fake.summary.sender = "\"><img src=x onerror=alert(1)>";
  r.fake.summary.recipients = {"<script>alert(2)</script>@x"};
  r.fake.summary.reasons = {"'><svg onload=alert(3)>"};
  r.fake.summary.state = "<b>held</b>";
  auto res = r.client().Get(("/link/" + token_for(LinkAction::Approve)).c_str());
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body.find("<script") == std::string::npos);
  CHECK(res->body.find("<img") == std::string::npos);
  CHECK(res->body.find("<svg") == std::string::npos);
  CHECK(res->body.find("<b>") == std::string::npos);
  CHECK(res->body.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(res->body.find("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;") != std::string::npos);
  CHECK(res->body.find("&#39;&gt;&lt;svg") != std::string::npos);
}

TEST_CASE("web: unknown message and unknown paths are 404 with the same headers") {
  Running r;
  auto cli = r.client();
  auto missing = cli.Get(("/link/" + token_for(LinkAction::Approve, "msg-gone")).c_str());
  REQUIRE(missing);
  CHECK(missing->status == 404);
  check_security_headers(missing);
  for (const char* path : {"/", "/link/", "/link/a/b", "/admin"}) {
    CAPTURE(path);
    auto res = cli.Get(path);
    REQUIRE(res);
    CHECK(res->status == 404);
    check_security_headers(res);
  }
  CHECK(r.fake.calls() == 0);
}

TEST_CASE("web: start refuses an empty key; stop is idempotent") {
  Fake fake;
  WebServer no_key(WebSettings{"127.0.0.1", 0, "", false}, fake.handlers());
  CHECK_FALSE(no_key.start().ok());
  WebServer s(WebSettings{"127.0.0.1", 0, kKey, false}, fake.handlers());
  auto port = s.start();
  REQUIRE(port.ok());
  CHECK(*port > 0);
  CHECK_FALSE(s.start().ok());
  s.stop();
  s.stop();
  httplib::Client cli("127.0.0.1", *port);
  cli.set_connection_timeout(1);
  CHECK_FALSE(cli.Get("/"));
}
