// Degraded context is visible: a real SQLite store whose tables are gone under the running daemon makes
// every look-up fail; the StoreContext lists the failures, and the engine answers with a failure (the
// milter tempfails) or, when asked, the fact context.degraded — never "first-time" from an empty history.
#include <doctest/doctest.h>
#include <sqlite3.h>
#include <unistd.h>

#include "preflight/context/store_context.hpp"
#include "preflight/engine/engine.hpp"
#include "preflight/mail/parse.hpp"
#include "preflight/policy/compile.hpp"

using namespace preflight;

namespace {

constexpr const char* kPolicy = R"(organisation:
  internal_domains: [example.co.jp]
rules:
  - id: first-time
    when: "recipients.first_time_count >= 1"
    action: {type: tag, tag: first-time}
  - id: history-unreadable
    when: "context.degraded"
    action: {type: hold, delay: 1h}
)";

constexpr const char* kMail =
    "From: Taro <taro@example.co.jp>\r\nTo: Suzuki <suzuki@partner.example.com>\r\nCc: sato@other.example.org\r\n"
    "Subject: the quote\r\n"
    "Message-ID: <2@example.co.jp>\r\nIn-Reply-To: <1@partner.example.com>\r\n\r\nHere it is.\r\n";

struct Lab {
  std::string path = "/tmp/preflight-degraded-test-" + std::to_string(getpid()) + ".db";
  std::shared_ptr<store::Store> st;
  std::shared_ptr<const policy::Policy> policy;
  mail::Envelope env;
  Lab() {
    cleanup();
    st = *store::open_sqlite(path);
    auto compiled = policy::compile_text(kPolicy, "p.yaml");
    for (const auto& e : compiled.errors) INFO(e.str());
    REQUIRE(compiled.policy);
    policy = compiled.policy;
    env.sender = mail::parse_addr_spec("taro@example.co.jp");
    env.recipients.push_back(mail::parse_addr_spec("suzuki@partner.example.com"));
    env.recipients.push_back(mail::parse_addr_spec("sato@other.example.org"));
    // Taro has written to both before: with a readable store the mail is not first-time.
    REQUIRE(st->record_delivery("taro@example.co.jp",
                                {{"suzuki@partner.example.com", "example.com", "Suzuki"},
                                 {"sato@other.example.org", "example.org", ""}},
                                100)
                .ok());
  }
  ~Lab() {
    st.reset();
    cleanup();
  }
  void cleanup() {
    for (const char* s : {"", "-wal", "-shm"}) unlink((path + s).c_str());
  }
  // Another process (or a broken migration) drops the tables the look-ups read.
  void drop_tables() {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    char* err = nullptr;
    int rc = sqlite3_exec(db,
                          "DROP TABLE history; DROP TABLE names; DROP TABLE threads; DROP TABLE exposures; "
                          "DROP TABLE received; DROP TABLE approvals;",
                          nullptr, nullptr, &err);
    INFO((err ? err : ""));
    sqlite3_free(err);
    sqlite3_close(db);
    REQUIRE(rc == SQLITE_OK);
  }
  engine::Evaluation evaluate(bool evaluate_degraded) {
    context::StoreContext ctx(st, std::make_shared<context::DomainCache>(), 3600, 200);
    auto msg = mail::parse_message(kMail);
    REQUIRE(msg.ok());
    return engine::evaluate(*policy, env, *msg, ctx, {nullptr, false, evaluate_degraded});
  }
};

bool degraded(const engine::Evaluation& ev) { return std::get<bool>(*ev.facts.get("context.degraded")); }

}  // namespace

TEST_CASE("a readable store is not degraded and its history counts") {
  Lab lab;
  auto ev = lab.evaluate(false);
  CHECK(ev.failure.empty());
  CHECK(ev.degraded.empty());
  CHECK_FALSE(degraded(ev));
  CHECK(std::get<std::int64_t>(*ev.facts.get("recipients.first_time_count")) == 0);
  CHECK(ev.verdict.action == policy::Action::Accept);
}

TEST_CASE("a store whose tables were dropped makes the engine's result a failure, not a first-time pass") {
  Lab lab;
  lab.drop_tables();
  auto ev = lab.evaluate(false);
  REQUIRE_FALSE(ev.failure.empty());
  CHECK(ev.failure.find("context degraded: ") == 0);
  CHECK(ev.failure.find("history: ") != std::string::npos);
  CHECK(ev.failure.find("no such table") != std::string::npos);
  for (const char* what : {"history", "threads", "exposure", "known domains"}) {
    CAPTURE(what);
    bool listed = false;
    for (const auto& d : ev.degraded) listed = listed || d.find(what) == 0;
    CHECK(listed);
  }
  CHECK(degraded(ev));
}

TEST_CASE("with on_context_degraded: evaluate the rules see context.degraded and decide") {
  Lab lab;
  lab.drop_tables();
  auto ev = lab.evaluate(true);
  CHECK(ev.failure.empty());
  CHECK(degraded(ev));
  CHECK(ev.verdict.action == policy::Action::Hold);
  CHECK_FALSE(ev.degraded.empty());
}

TEST_CASE("a failed read of past approvals is reported after the verdict, too") {
  Lab lab;
  auto compiled = policy::compile_text(R"(organisation:
  internal_domains: [example.co.jp]
rules:
  - id: outside
    when: "recipients.external >= 1"
    action: {type: approve, approvers: [self]}
)", "p.yaml");
  REQUIRE(compiled.policy);
  lab.policy = compiled.policy;
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(lab.path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "DROP TABLE approvals;", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  auto ev = lab.evaluate(false);
  CHECK_FALSE(degraded(ev));  // every fact was read
  CHECK(ev.verdict.action == policy::Action::Approve);  // no waiver: the stricter outcome
  REQUIRE(ev.degraded.size() == 1);
  CHECK(ev.degraded[0].find("approvals: ") == 0);
  CHECK(ev.failure.find("context degraded: approvals: ") == 0);
}
