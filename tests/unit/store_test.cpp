// The SQLite store on a real file: held messages, conditional transitions with audit rows, leases,
// history, notices.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "preflight/store/store.hpp"

using namespace preflight::store;

namespace {
struct TempDb {
  std::string path = "/tmp/preflight-store-test-" + std::to_string(getpid()) + ".db";
  TempDb() { cleanup(); }
  ~TempDb() { cleanup(); }
  void cleanup() {
    for (const char* s : {"", "-wal", "-shm"}) unlink((path + s).c_str());
  }
};

HeldMessage held(const std::string& id, HoldKind kind = HoldKind::Approval) {
  HeldMessage m;
  m.id = id;
  m.kind = kind;
  m.sender = "taro@example.co.jp";
  m.recipients = {"a@partner.com", "b@partner.com"};
  m.subject = "見積";
  m.created_at = 100;
  m.due_at = kind == HoldKind::Delay ? 200 : 0;
  m.expires_at = kind == HoldKind::Approval ? 500 : 0;
  m.approvers = {"boss@example.co.jp"};
  return m;
}

AuditEntry by(const std::string& actor, std::int64_t at) { return {"", at, actor, "127.0.0.1", "test", "", "", ""}; }
}  // namespace

TEST_CASE("store: a held message round-trips and survives reopening the file") {
  TempDb db;
  {
    auto s = open_sqlite(db.path);
    REQUIRE(s.ok());
    REQUIRE((*s)->insert_held(held("m1"), {"m1", 100, "milter", "10.0.0.1", "hold", "", "held", "rules=x"}).ok());
  }
  auto s = open_sqlite(db.path);
  REQUIRE(s.ok());
  auto m = (*s)->get("m1");
  REQUIRE(m.ok());
  REQUIRE(m->has_value());
  CHECK((*m)->subject == "見積");
  CHECK((*m)->recipients == std::vector<std::string>{"a@partner.com", "b@partner.com"});
  CHECK((*m)->state == State::Held);
  CHECK_FALSE((*s)->get("nope")->has_value());
}

TEST_CASE("store: a transition happens once and is audited") {
  TempDb db;
  auto s = *open_sqlite(db.path);
  REQUIRE(s->insert_held(held("m1"), {"m1", 100, "milter", "", "hold", "", "held", ""}).ok());
  CHECK(*s->transition("m1", State::Held, State::Approved, by("boss@example.co.jp", 150)));
  CHECK_FALSE(*s->transition("m1", State::Held, State::Rejected, by("other@example.co.jp", 151)));
  auto m = **s->get("m1");
  CHECK(m.state == State::Approved);
  CHECK(m.decided_by == "boss@example.co.jp");
  auto trail = *s->audit_trail("m1");
  REQUIRE(trail.size() == 2);
  CHECK(trail[1].from_state == "held");
  CHECK(trail[1].to_state == "approved");
  CHECK(trail[1].address == "127.0.0.1");
}

TEST_CASE("store: a release lease keeps a second pass away until it runs out") {
  TempDb db;
  auto s = *open_sqlite(db.path);
  REQUIRE(s->insert_held(held("m1"), {"m1", 100, "milter", "", "hold", "", "held", ""}).ok());
  REQUIRE(*s->transition("m1", State::Held, State::Approved, by("boss", 150)));
  CHECK(s->lease_releasable(1000, 60, 50)->size() == 1);
  CHECK(s->lease_releasable(1010, 60, 50)->empty());      // another gateway, same moment: nothing
  auto again = *s->lease_releasable(1061, 60, 50);        // the first sender crashed: sent again
  REQUIRE(again.size() == 1);
  CHECK(again[0].release_attempts == 1);
  REQUIRE(*s->transition("m1", State::Approved, State::Released, by("scheduler", 1062)));
  CHECK(s->lease_releasable(5000, 60, 50)->empty());
}

TEST_CASE("store: a sender leases only as many messages as it asks for") {
  TempDb db;
  auto s = *open_sqlite(db.path);
  for (const char* id : {"m1", "m2"}) {
    REQUIRE(s->insert_held(held(id), {id, 100, "milter", "", "hold", "", "held", ""}).ok());
    REQUIRE(*s->transition(id, State::Held, State::Approved, by("boss", 150)));
  }
  auto first = *s->lease_releasable(1000, 60, 1);
  REQUIRE(first.size() == 1);
  auto second = *s->lease_releasable(1000, 60, 1);  // the other one, not the leased one again
  REQUIRE(second.size() == 1);
  CHECK(second[0].id != first[0].id);
  CHECK(s->lease_releasable(1000, 60, 1)->empty());
}

TEST_CASE("store: due finds delay-sends, expiries and escalations") {
  TempDb db;
  auto s = *open_sqlite(db.path);
  auto esc = held("e1");
  esc.escalate_at = 300;
  REQUIRE(s->insert_held(held("d1", HoldKind::Delay), {"d1", 100, "milter", "", "hold", "", "held", ""}).ok());
  REQUIRE(s->insert_held(held("a1"), {"a1", 100, "milter", "", "hold", "", "held", ""}).ok());
  REQUIRE(s->insert_held(esc, {"e1", 100, "milter", "", "hold", "", "held", ""}).ok());
  CHECK(s->due(199)->empty());
  CHECK(s->due(200)->size() == 1);
  CHECK(s->due(300)->size() == 2);
  CHECK(s->due(500)->size() == 3);
  auto counts = *s->pending_per_approver();
  REQUIRE(counts.size() == 1);
  CHECK(counts[0] == std::pair<std::string, std::int64_t>{"boss@example.co.jp", 2});
}

TEST_CASE("store: history counts deliveries per sender and address, with names and domains") {
  TempDb db;
  auto s = *open_sqlite(db.path);
  CHECK_FALSE(s->history("taro@example.co.jp", "a@partner.com")->has_value());
  REQUIRE(s->record_delivery("Taro@example.co.jp",
                             {{"A@Partner.com", "partner.com", "山田 太郎"}, {"b@mail.other.jp", "other.jp", ""}}, 100)
              .ok());
  REQUIRE(s->record_delivery("taro@example.co.jp", {{"a@partner.com", "partner.com", ""}}, 200).ok());
  auto h = **s->history("taro@example.co.jp", "a@partner.com");
  CHECK(h.count == 2);
  CHECK(h.first_seen == 100);
  CHECK(h.last_seen == 200);
  CHECK(h.domain == "partner.com");
  CHECK(*s->domain_count("partner.com") == 2);
  CHECK(*s->domain_count("other.jp") == 1);
  CHECK(*s->domain_count("nowhere.jp") == 0);
  CHECK(*s->known_org_domains(10) == std::vector<std::string>{"partner.com", "other.jp"});
  CHECK(*s->known_subdomains(10) == std::vector<std::string>{"mail.other.jp"});  // hosts below an org domain
  auto at = *s->addresses_at("partner.com", 10);
  REQUIRE(at.size() == 1);
  CHECK(at[0] == std::pair<std::string, std::string>{"a@partner.com", "山田 太郎"});
  CHECK(s->addresses_named("山田 太郎", 10)->size() == 1);
  CHECK(s->addresses_named("ｓｕｚｕｋｉ", 10)->empty());
}

TEST_CASE("store: threads and exposure are remembered") {
  TempDb db;
  auto s = *open_sqlite(db.path);
  REQUIRE(s->record_thread({"<m1@x>", "taro@example.co.jp", {"a@p.com"}, {"a@p.com", "hidden@example.co.jp"}, 10}).ok());
  auto t = *s->threads({"<m1@x>", "<unknown@x>"});
  REQUIRE(t.size() == 1);
  CHECK(t[0].recipients.size() == 2);
  REQUIRE(s->record_exposure("taro@example.co.jp", 10, 100).ok());
  REQUIRE(s->record_exposure("taro@example.co.jp", 10, 200).ok());
  CHECK(*s->exposed_since("taro@example.co.jp", 150) == 10);
  CHECK(*s->exposed_since("taro@example.co.jp", 0) == 20);
}

TEST_CASE("store: notices wait in the outbox until sent") {
  TempDb db;
  auto s = *open_sqlite(db.path);
  REQUIRE(s->enqueue_notice({0, "m1", "taro@example.co.jp", std::string("raw\0bytes", 9), 100, 0}).ok());
  auto pending = *s->pending_notices(10, 0);
  REQUIRE(pending.size() == 1);
  CHECK(pending[0].raw.size() == 9);
  REQUIRE(*s->notice_failed(pending[0].id, "connection refused"));
  CHECK(s->pending_notices(10, 0)->size() == 1);
  REQUIRE(*s->notice_sent(pending[0].id, 200));
  CHECK(s->pending_notices(10, 0)->empty());
  REQUIRE(s->enqueue_notice({0, "m2", "taro@example.co.jp", "raw", 100, 0}).ok());
  for (int i = 0; i < 150; ++i) REQUIRE(*s->notice_failed(2, "connection refused"));  // a long outage
  CHECK(s->pending_notices(10, 50)->size() == 1);   // still tried, however many attempts failed
  CHECK(s->pending_notices(10, 101)->empty());      // older than the retry period: given up
}

TEST_CASE("store: an unopenable path is an error, not a crash") {
  auto s = open_sqlite("/nonexistent/dir/preflight.db");
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().find("cannot open") != std::string::npos);
}

TEST_CASE("store: the database, its WAL and shared-memory files are 0600 whatever the umask") {
  for (mode_t mask : {mode_t{0000}, mode_t{0022}}) {
    CAPTURE(mask);
    TempDb db;
    mode_t old = umask(mask);
    {
      auto s = *open_sqlite(db.path);
      REQUIRE(s->insert_held(held("m1"), by("milter", 100)).ok());  // a write: the WAL exists now
      for (const char* suffix : {"", "-wal", "-shm"}) {
        CAPTURE(suffix);
        struct stat st {};
        REQUIRE(stat((db.path + suffix).c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0600);
      }
    }
    umask(old);
  }
}

TEST_CASE("store: a database an older version left world-readable is made 0600 when opened") {
  TempDb db;
  { *open_sqlite(db.path); }
  for (const char* suffix : {"", "-wal", "-shm"}) chmod((db.path + suffix).c_str(), 0644);
  auto s = *open_sqlite(db.path);
  struct stat st {};
  REQUIRE(stat(db.path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("store: purge keeps the audit trail unless asked to remove the records too") {
  for (bool records : {false, true}) {
    CAPTURE(records);
    TempDb db;
    auto s = *open_sqlite(db.path);
    REQUIRE(s->insert_held(held("m1"), {"m1", 100, "milter", "", "hold", "", "held", ""}).ok());
    REQUIRE(*s->transition("m1", State::Held, State::Rejected, by("boss@example.co.jp", 150)));
    REQUIRE(s->enqueue_notice({0, "m1", "taro@example.co.jp", "spec", 150, 0}).ok());
    REQUIRE(*s->purge(1000, records) == std::vector<std::string>{"m1"});
    CHECK_FALSE(s->get("m1")->has_value());
    CHECK(s->audit_trail("m1")->size() == (records ? 0u : 2u));
    CHECK(s->notices_for("m1")->size() == (records ? 0u : 1u));
  }
}

TEST_CASE("store: sent notices are deleted after the retention period, unsent ones only when long given up") {
  TempDb db;
  auto s = *open_sqlite(db.path);
  const std::vector<std::pair<std::string, std::int64_t>> made = {
      {"sent-early", 100}, {"sent-late", 900}, {"unsent-old", 100}, {"unsent-new", 900}};
  for (const auto& [held_id, at] : made) REQUIRE(s->enqueue_notice({0, held_id, "taro@example.co.jp", "spec", at, 0}).ok());
  REQUIRE(*s->notice_sent(1, 200));
  REQUIRE(*s->notice_sent(2, 950));
  CHECK(*s->purge_notices(500) == 2);  // sent at 200, and unsent since 100
  CHECK(s->notices_for("sent-early")->empty());
  CHECK(s->notices_for("unsent-old")->empty());
  CHECK(s->notices_for("sent-late")->size() == 1);
  CHECK(s->notices_for("unsent-new")->size() == 1);
}
