// Web sessions kept in the SQLite store through the daemon's session backend: a session outlives its
// SessionStore (a restart), the database holds only the SHA-256 of a session id, removed and expired
// sessions stay gone, the stored expiry is rewritten only past the slack, and without a backend nothing
// is written. Also over HTTP: a sign-in survives a new WebServer over the same database; sign-out
// deletes the row; a session whose account is gone signs nobody in.
#include <doctest/doctest.h>
#include <httplib.h>
#include <openssl/sha.h>
#include <stdlib.h>

#include <array>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "preflight/daemon/web_sessions.hpp"
#include "preflight/util/strings.hpp"
#include "preflight/web/password.hpp"
#include "preflight/web/server.hpp"

using namespace preflight;
using nlohmann::json;

namespace {

// A private directory holding one store file; removed with everything in it.
struct TempStore {
  std::string dir;
  TempStore() {
    char tmpl[] = "/tmp/preflight-sessions-XXXXXX";
    const char* d = mkdtemp(tmpl);
    REQUIRE(d != nullptr);
    dir = d;
  }
  ~TempStore() { std::filesystem::remove_all(dir); }
  std::string path() const { return dir + "/preflight.db"; }
  // A fresh connection to the same file, as a restarted daemon opens it.
  std::shared_ptr<store::Store> open() const {
    auto s = store::open_sqlite(path());
    REQUIRE(s.ok());
    return *s;
  }
  // Every byte of the database and its write-ahead log.
  std::string raw() const {
    std::string all;
    for (const char* suffix : {"", "-wal"}) {
      std::ifstream in(path() + suffix, std::ios::binary);
      all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return all;
  }
};

std::string sha256_hex(const std::string& s) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> d{};
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d.data());
  return util::to_hex(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

web::SessionStore persistent(const std::shared_ptr<store::Store>& st, std::int64_t idle = 1000) {
  return web::SessionStore(idle, daemon::session_backend(st));
}

}  // namespace

TEST_CASE("web sessions in the store: a session outlives its SessionStore; only its hash is stored") {
  TempStore tmp;
  std::optional<web::Session> made;
  {
    auto first = persistent(tmp.open());
    made = first.create("boss", 10000);
    REQUIRE(made);
  }
  auto st = tmp.open();
  auto second = persistent(st);
  CHECK(second.size() == 0);
  auto found = second.find(made->id, 10100);
  REQUIRE(found);
  CHECK(found->user == "boss");
  CHECK(found->csrf == made->csrf);
  CHECK(found->created_at == 10000);
  CHECK(second.size() == 1);

  auto row = st->find_session(sha256_hex(made->id));
  REQUIRE(row.ok());
  REQUIRE(row->has_value());
  CHECK((*row)->user == "boss");
  CHECK(st->find_session(made->id)->has_value() == false);
  CHECK(tmp.raw().find(made->id) == std::string::npos);  // no row, page or log entry holds the cookie value
  CHECK(tmp.raw().find(sha256_hex(made->id)) != std::string::npos);
}

TEST_CASE("web sessions in the store: removed and expired sessions are not found after a restart") {
  TempStore tmp;
  auto st = tmp.open();
  auto first = persistent(st, 100);
  auto gone = first.create("boss", 1000);
  auto stale = first.create("audit", 1000);
  REQUIRE(gone);
  REQUIRE(stale);
  first.remove(gone->id);
  CHECK_FALSE(st->find_session(sha256_hex(gone->id))->has_value());  // sign-out deletes the row

  auto second = persistent(tmp.open(), 100);
  CHECK_FALSE(second.find(gone->id, 1010));
  CHECK_FALSE(second.find(stale->id, 1100));  // idle for its whole idle time
  CHECK_FALSE(st->find_session(sha256_hex(stale->id))->has_value());
}

TEST_CASE("web sessions in the store: expired rows are purged at start and when a session is made") {
  TempStore tmp;
  auto st = tmp.open();
  auto first = persistent(st, 100);
  auto a = first.create("boss", 1000);
  auto b = first.create("boss", 1050);
  REQUIRE(a);
  REQUIRE(b);
  auto later = persistent(st, 100);
  later.purge(1120);  // what the web role does when it starts
  CHECK_FALSE(st->find_session(sha256_hex(a->id))->has_value());
  CHECK(st->find_session(sha256_hex(b->id))->has_value());
  REQUIRE(later.create("audit", 1200));
  CHECK_FALSE(st->find_session(sha256_hex(b->id))->has_value());
  CHECK(*st->purge_sessions(1200) == 0);
}

TEST_CASE("web sessions in the store: the stored expiry moves only when it is more than the slack behind") {
  TempStore tmp;
  auto st = tmp.open();
  auto sessions = persistent(st, 1000);
  auto s = sessions.create("boss", 5000);
  REQUIRE(s);
  std::string key = sha256_hex(s->id);
  CHECK((*st->find_session(key))->expires_at == 6000);
  REQUIRE(sessions.find(s->id, 5000 + web::SessionStore::kStoreSlack));
  CHECK((*st->find_session(key))->expires_at == 6000);  // no write for every request
  REQUIRE(sessions.find(s->id, 5000 + web::SessionStore::kStoreSlack + 1));
  CHECK((*st->find_session(key))->expires_at == 6000 + web::SessionStore::kStoreSlack + 1);
}

TEST_CASE("web sessions without a backend: nothing is persisted") {
  TempStore tmp;
  auto st = tmp.open();
  web::SessionStore memory(1000);
  auto s = memory.create("boss", 1000);
  REQUIRE(s);
  CHECK(memory.find(s->id, 1001));
  CHECK_FALSE(st->find_session(sha256_hex(s->id))->has_value());
  CHECK_FALSE(persistent(tmp.open()).find(s->id, 1001));

  web::SessionBackend partial = daemon::session_backend(st);
  partial.purge = nullptr;  // an incomplete backend counts as none
  web::SessionStore half(1000, partial);
  auto h = half.create("boss", 1000);
  REQUIRE(h);
  CHECK_FALSE(st->find_session(sha256_hex(h->id))->has_value());
}

namespace {

// The web role over a store file, with one account ("boss") that can be taken away.
struct StoredApp {
  std::shared_ptr<std::atomic<bool>> boss_exists;
  web::WebServer server;
  int port = 0;

  StoredApp(const std::shared_ptr<store::Store>& st, std::shared_ptr<std::atomic<bool>> exists)
      : boss_exists(std::move(exists)),
        server(web::WebSettings{"127.0.0.1", 0, "key-0123456789abcdef", false}, no_links(),
               handlers(boss_exists), web::AppSettings{"", 3600, daemon::session_backend(st)}) {
    auto p = server.start();
    REQUIRE(p.ok());
    port = *p;
  }
  ~StoredApp() { server.stop(); }

  static web::LinkHandlers no_links() {
    return {[](const std::string&) { return std::optional<web::MessageSummary>(); },
            [](const web::LinkDecision&) -> util::Result<std::string> { return util::Error{"no"}; }};
  }
  static web::AppHandlers handlers(std::shared_ptr<std::atomic<bool>> exists) {
    web::AppHandlers h;
    h.account = [exists](const std::string& name) -> std::optional<web::Account> {
      static const std::string hash = *web::hash_password("pass-word", 1000);
      if (name != "boss" || !*exists) return std::nullopt;
      return web::Account{"boss", "boss@example.co.jp", web::Role::Approver, hash};
    };
    h.list = [](const web::QueueQuery&) -> util::Result<json> { return json{{"total", 0}, {"rows", json::array()}}; };
    h.message = [](const std::string&) -> util::Result<std::optional<json>> { return std::optional<json>(); };
    h.decide = [](const web::AppDecision&) -> util::Result<std::string> { return util::Error{"no"}; };
    h.stats = [](const std::string&) -> util::Result<json> { return json::object(); };
    return h;
  }
  httplib::Client client() const { return httplib::Client("127.0.0.1", port); }
};

std::string set_cookie(const httplib::Result& res, const std::string& name) {
  for (std::size_t i = 0; i < res->get_header_value_count("Set-Cookie"); ++i) {
    std::string c = res->get_header_value("Set-Cookie", i);
    if (c.rfind(name + "=", 0) == 0) return c.substr(name.size() + 1, c.find(';') - name.size() - 1);
  }
  return {};
}

// Signs in as boss through the login page's CSRF flow; returns the session cookie's value.
std::string sign_in(httplib::Client& c) {
  std::string token = set_cookie(c.Get("/login"), "pf_login");
  auto res = c.Post("/login", httplib::Headers{{"Cookie", "pf_login=" + token}},
                    httplib::Params{{"csrf", token}, {"user", "boss"}, {"password", "pass-word"}});
  REQUIRE(res->status == 303);
  return set_cookie(res, "pf_session");
}

}  // namespace

TEST_CASE("web app with stored sessions: a sign-in survives a restart; sign-out and lost accounts end it") {
  TempStore tmp;
  auto exists = std::make_shared<std::atomic<bool>>(true);
  std::string session;
  {
    StoredApp before(tmp.open(), exists);
    auto c = before.client();
    session = sign_in(c);
    REQUIRE(session.size() == 64);
  }
  StoredApp after(tmp.open(), exists);
  auto c = after.client();
  httplib::Headers cookie{{"Cookie", "pf_session=" + session}};
  auto me = c.Get("/api/me", cookie);
  REQUIRE(me->status == 200);
  json who = json::parse(me->body);
  CHECK(who["name"] == "boss");

  *exists = false;  // the account was deleted: its session signs nobody in
  CHECK(c.Get("/api/me", cookie)->status == 401);
  *exists = true;

  CHECK(c.Post("/logout", cookie, httplib::Params{{"csrf", who["csrf"].get<std::string>()}})->status == 303);
  CHECK(c.Get("/api/me", cookie)->status == 401);
  CHECK_FALSE(tmp.open()->find_session(sha256_hex(session))->has_value());
  StoredApp again(tmp.open(), exists);
  auto c2 = again.client();
  CHECK(c2.Get("/api/me", cookie)->status == 401);
}
