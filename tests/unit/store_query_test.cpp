// The store's web-queue queries: search with every filter, count for paging, sort, the dashboard
// aggregates (per day, reason, department, median time to decision), and web accounts; and that a
// page of a 10,000-message queue comes back fast.
#include <doctest/doctest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>

#include "preflight/store/store.hpp"

using namespace preflight::store;

namespace {

struct TempDb {
  std::string path = "/tmp/preflight-query-test-" + std::to_string(getpid()) + ".db";
  TempDb() { cleanup(); }
  ~TempDb() { cleanup(); }
  void cleanup() {
    for (const char* s : {"", "-wal", "-shm"}) unlink((path + s).c_str());
  }
};

HeldMessage held(int i, const std::string& dept, const std::string& rule, std::int64_t at) {
  HeldMessage m;
  m.id = "id" + std::to_string(i);
  m.kind = HoldKind::Approval;
  m.sender = i % 2 ? "taro@example.co.jp" : "hanako@example.co.jp";
  m.recipients = {"r" + std::to_string(i) + "@partner.example.com"};
  m.subject = "見積 100% no." + std::to_string(i);
  m.created_at = at;
  m.approvers = {i % 3 ? "boss@example.co.jp" : "chief@example.co.jp"};
  m.details_json = R"({"department":")" + dept + R"(","rules":[{"id":")" + rule + R"("}]})";
  return m;
}

AuditEntry hold_audit() { return {"", 0, "milter", "", "hold", "", "held", ""}; }

// A second, raw connection to the store's file, to look behind the Store interface.
struct RawDb {
  sqlite3* db = nullptr;
  explicit RawDb(const std::string& path) { REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK); }
  ~RawDb() { sqlite3_close(db); }
  void exec(const char* sql) { REQUIRE(sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK); }
  std::int64_t number(const char* sql) {
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql, -1, &s, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(s) == SQLITE_ROW);
    std::int64_t n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return n;
  }
};

HeldMessage with_details(int i, const std::string& details) {
  HeldMessage m = held(i, "sales", "", 1000 + i);
  m.details_json = details;
  return m;
}

}  // namespace

TEST_CASE("store query: filters, text search, sort and count") {
  TempDb db;
  auto s = *open_sqlite(db.path);
  for (int i = 1; i <= 12; ++i)
    REQUIRE(s->insert_held(held(i, i <= 4 ? "sales" : "legal", i % 4 ? "external" : "lookalike", 86400 * i),
                           hold_audit()).ok());
  HeldQuery all;
  CHECK(*s->count(all) == 12);
  auto page = *s->search(all);
  CHECK(page.front().id == "id12");  // newest first by default
  HeldQuery q;
  q.department = "sales";
  CHECK(*s->count(q) == 4);
  q = {};
  q.reason = "lookalike";
  CHECK(*s->count(q) == 3);
  q = {};
  q.sender = "TARO@example.co.jp";
  CHECK(*s->count(q) == 6);
  q = {};
  q.text = "no.11";
  CHECK(*s->count(q) == 1);
  q.text = "100%";  // a LIKE wildcard in the text is matched literally
  CHECK(*s->count(q) == 12);
  q.text = "r7@partner";
  CHECK(s->search(q)->at(0).id == "id7");
  q = {};
  q.approver = "chief@example.co.jp";
  CHECK(*s->count(q) == 4);
  q = {};
  q.created_after = 86400 * 10;
  q.created_before = 86400 * 12;
  CHECK(*s->count(q) == 2);
  q = {};
  q.sort = "subject; DROP TABLE held";  // unknown sort columns fall back to created_at
  q.descending = false;
  q.limit = 5;
  q.offset = 5;
  auto second = *s->search(q);
  REQUIRE(second.size() == 5);
  CHECK(second.front().id == "id6");
  REQUIRE(s->transition("id3", State::Held, State::Approved, {"", 86400 * 3 + 600, "boss", "", "approve", "", "", ""}).ok());
  q = {};
  q.state = State::Held;
  CHECK(*s->count(q) == 11);
}

TEST_CASE("store query: dashboard aggregates and the median time to decision") {
  TempDb db;
  auto s = *open_sqlite(db.path);
  REQUIRE(s->insert_held(held(1, "sales", "external", 1000), hold_audit()).ok());
  REQUIRE(s->insert_held(held(2, "sales", "external", 1000 + 86400), hold_audit()).ok());
  REQUIRE(s->insert_held(held(3, "", "lookalike", 1000 + 86400), hold_audit()).ok());
  REQUIRE(s->insert_held(held(4, "legal", "external", 1000 + 86400), hold_audit()).ok());
  auto st = *s->stats({}, 0);
  CHECK(st.median_decision_seconds == -1);
  REQUIRE(s->transition("id1", State::Held, State::Approved, {"", 1000 + 60, "boss", "", "approve", "", "", ""}).ok());
  REQUIRE(s->transition("id2", State::Held, State::Rejected, {"", 1000 + 86400 + 180, "boss", "", "reject", "", "", ""}).ok());
  REQUIRE(s->transition("id3", State::Held, State::Approved, {"", 1000 + 86400 + 600, "boss", "", "approve", "", "", ""}).ok());
  st = *s->stats({}, 0);
  REQUIRE(st.per_day.size() == 2);
  CHECK(st.per_day[0] == std::pair<std::string, std::int64_t>{"1970-01-01", 1});
  CHECK(st.per_day[1].second == 3);
  CHECK(st.per_reason[0] == std::pair<std::string, std::int64_t>{"external", 3});
  CHECK(st.per_department[0] == std::pair<std::string, std::int64_t>{"sales", 2});
  CHECK(st.pending == 1);
  CHECK(st.decided == 3);
  CHECK(st.median_decision_seconds == 180);
  HeldQuery scope;
  scope.approver = "chief@example.co.jp";  // id3 only
  st = *s->stats(scope, 0);
  CHECK(st.decided == 1);
  CHECK(st.median_decision_seconds == 600);
  CHECK(s->stats({}, 50000)->per_day.size() == 1);  // since: only the second day
}

TEST_CASE("store query: rule ids are indexed at insert, backfilled for an older database and purged") {
  TempDb db;
  {
    auto s = *open_sqlite(db.path);
    REQUIRE(s->insert_held(with_details(1, R"({"rules":[{"id":"external"},{"id":"lookalike"}]})"), hold_audit()).ok());
    REQUIRE(s->insert_held(with_details(2, R"({"rules":[{"id":"external"}]})"), hold_audit()).ok());
    REQUIRE(s->insert_held(with_details(3, R"({"rules":[{"id":"ppap"},"text",5,{"no":"id"}]})"), hold_audit()).ok());
    REQUIRE(s->insert_held(with_details(4, "not json"), hold_audit()).ok());  // held, with no reasons
    REQUIRE(s->insert_held(with_details(5, R"({"rules":[]})"), hold_audit()).ok());
    CHECK(RawDb(db.path).number("SELECT count(*) FROM held_rules") == 4);
  }
  // A database from before held_rules existed: the table is created and filled when the store opens.
  RawDb(db.path).exec("DROP TABLE held_rules");
  for (int open = 0; open < 2; ++open) {  // the second open finds the table and adds nothing
    auto s = *open_sqlite(db.path);
    CHECK(RawDb(db.path).number("SELECT count(*) FROM held_rules") == 4);
    HeldQuery q;
    q.reason = "external";
    CHECK(*s->count(q) == 2);
    q.reason = "lookalike";
    auto rows = *s->search(q);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].id == "id1");
    q.reason = "text";
    CHECK(*s->count(q) == 0);
    auto st = *s->stats({}, 0);
    REQUIRE(st.per_reason.size() == 3);
    CHECK(st.per_reason[0] == std::pair<std::string, std::int64_t>{"external", 2});
    CHECK(st.per_reason[1] == std::pair<std::string, std::int64_t>{"lookalike", 1});
    CHECK(st.per_reason[2] == std::pair<std::string, std::int64_t>{"ppap", 1});
  }
  auto s = *open_sqlite(db.path);
  REQUIRE(*s->transition("id1", State::Held, State::Rejected, {"", 2000, "boss", "", "reject", "", "", ""}));
  auto purged = *s->purge(3000, false);
  REQUIRE(purged == std::vector<std::string>{"id1"});
  RawDb raw(db.path);
  CHECK(raw.number("SELECT count(*) FROM held_rules WHERE held_id = 'id1'") == 0);
  CHECK(raw.number("SELECT count(*) FROM held_rules") == 2);
  HeldQuery q;
  q.reason = "external";
  CHECK(*s->count(q) == 1);
}

TEST_CASE("store query: a page of 10,000 held messages is quick") {
  TempDb db;
  auto s = *open_sqlite(db.path);
  for (int i = 0; i < 10000; ++i)
    REQUIRE(s->insert_held(held(i, i % 7 ? "sales" : "legal", "external", 1000 + i), hold_audit()).ok());
  auto start = std::chrono::steady_clock::now();
  HeldQuery q;
  q.offset = 5000;
  q.limit = 50;
  CHECK(s->search(q)->size() == 50);
  CHECK(*s->count(q) == 10000);
  q.text = "no.99";
  CHECK(*s->count(q) == 111);  // 99, 990-999, 9900-9999
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  CHECK(ms < 2000);
  CHECK(s->stats({}, 0)->per_department.size() == 2);
}

TEST_CASE("store: web accounts are inserted, replaced and listed") {
  TempDb db;
  auto s = *open_sqlite(db.path);
  CHECK_FALSE(s->find_user("boss")->has_value());
  REQUIRE(s->put_user({"boss", "boss@example.co.jp", "approver", "hash1", 5}).ok());
  REQUIRE(s->put_user({"audit", "audit@example.co.jp", "auditor", "hash2", 6}).ok());
  REQUIRE(s->put_user({"boss", "boss2@example.co.jp", "admin", "hash3", 7}).ok());
  auto boss = *s->find_user("boss");
  REQUIRE(boss.has_value());
  CHECK(boss->email == "boss2@example.co.jp");
  CHECK(boss->role == "admin");
  CHECK(boss->password_hash == "hash3");
  auto all = *s->users();
  REQUIRE(all.size() == 2);
  CHECK(all[0].name == "audit");
}
