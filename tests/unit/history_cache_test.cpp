// The history's fast paths against the plain queries on a real SQLite file: the in-memory known addresses
// (context::KnownAddresses) list what Store::addresses_at lists, in its order, as history grows; the
// per-domain totals give what summing history gives, also for a file written before they existed; a kept
// (reused) statement answers with its new binds and sees the writes made since its last use.
#include <doctest/doctest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <random>

#include "preflight/context/history_writer.hpp"
#include "preflight/context/known_addresses.hpp"
#include "preflight/store/store.hpp"

using namespace preflight;

namespace {
// The known addresses at a domain; a store error fails the test.
std::vector<std::string> known_at(context::KnownAddresses& known, store::Store& st, const std::string& domain,
                                  std::size_t limit) {
  auto r = known.at(st, domain, limit);
  REQUIRE(r.ok());
  std::vector<std::string> out;
  for (const auto& k : **r) out.push_back(k.address);
  return out;
}

struct TempFile {
  std::string path = "/tmp/preflight-history-cache-test-" + std::to_string(getpid()) + ".db";
  TempFile() { cleanup(); }
  ~TempFile() { cleanup(); }
  void cleanup() {
    for (const char* s : {"", "-wal", "-shm"}) unlink((path + s).c_str());
  }
};

std::vector<std::string> plain(store::Store& st, const std::string& domain, int limit) {
  auto listed = st.addresses_at(domain, limit);
  REQUIRE(listed.ok());
  std::vector<std::string> out;
  for (auto& [addr, name] : *listed) out.push_back(addr);
  return out;
}

// Deliveries by random senders to random addresses at a few domains, some with display names.
void deliver_random(store::Store& st, std::mt19937& rng, int n, std::int64_t at) {
  const char* domains[] = {"partner.co.jp", "gmail.com", "mail.other.jp", "Shop.Example.com"};
  for (int i = 0; i < n; ++i) {
    std::string d = domains[rng() % 4];
    std::string addr = "user" + std::to_string(rng() % 60) + "@" + d;
    std::string sender = "s" + std::to_string(rng() % 5) + "@example.co.jp";
    REQUIRE(st.record_delivery(sender, {{addr, d == "mail.other.jp" ? "other.jp" : d, i % 3 ? "" : "名前"}}, at + i)
                .ok());
  }
}
}  // namespace

TEST_CASE("known addresses in memory are the store's list, in its order, at every step of a growing history") {
  TempFile f;
  auto st = *store::open_sqlite(f.path);
  context::KnownAddresses known;
  std::mt19937 rng(7);
  struct Case {
    int deliveries;
    int limit;
  };
  for (Case c : {Case{0, 500}, Case{1, 500}, Case{40, 500}, Case{200, 10}, Case{300, 500}, Case{5, 3}}) {
    deliver_random(*st, rng, c.deliveries, 1000);
    for (const char* d : {"partner.co.jp", "gmail.com", "mail.other.jp", "shop.example.com", "SHOP.example.com",
                          "other.jp", "unknown.jp"}) {
      CAPTURE(d);
      CAPTURE(c.limit);
      CHECK(known_at(known, *st, d, static_cast<std::size_t>(c.limit)) == plain(*st, d, c.limit));
    }
  }
  CHECK(known_at(known, *st, "gmail.com", 500).size() > 40);  // the lists compared were not trivially short
  CHECK(known_at(known, *st, "gmail.com", 3).size() == 3);
}

TEST_CASE("a list of known addresses a reader holds stays as it was read when history grows") {
  TempFile f;
  auto st = *store::open_sqlite(f.path);
  context::KnownAddresses known;
  REQUIRE(st->record_delivery("a@example.co.jp", {{"p@partner.com", "partner.com", ""}}, 1).ok());
  auto held = known.at(*st, "partner.com", 500);
  REQUIRE(held.ok());
  REQUIRE((*held)->size() == 1);
  auto again = known.at(*st, "partner.com", 500);
  CHECK(again->get() == held->get());  // shared, not copied, while nothing changed
  REQUIRE(st->record_delivery("a@example.co.jp", {{"q@partner.com", "partner.com", ""}}, 2).ok());
  auto grown = known.at(*st, "partner.com", 500);
  REQUIRE(grown.ok());
  CHECK((*held)->size() == 1);  // what the first reader holds did not change under it
  CHECK((*grown)->size() == 2);
  CHECK((*grown)->back().address == "q@partner.com");
}

TEST_CASE("per-domain totals equal the sum of history, for new files and for files from before the totals") {
  TempFile f;
  std::mt19937 rng(11);
  {
    auto st = *store::open_sqlite(f.path);
    deliver_random(*st, rng, 150, 100);
  }
  {  // a file as an older version left it: no totals table, no triggers
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(f.path.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "DROP TABLE domain_totals; DROP TRIGGER history_totals_insert; "
                             "DROP TRIGGER history_totals_update; DROP TRIGGER history_totals_delete; "
                             "INSERT INTO history VALUES ('old@example.co.jp', 'x@partner.co.jp', 'partner.co.jp', "
                             "'partner.co.jp', 1, 1, 5)",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  auto st = *store::open_sqlite(f.path);
  deliver_random(*st, rng, 150, 500);
  // the same pair under another organisational domain moves its count
  REQUIRE(st->record_delivery("old@example.co.jp", {{"x@partner.co.jp", "co.jp", ""}}, 900).ok());
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(f.path.c_str(), &db) == SQLITE_OK);
  for (const char* d : {"partner.co.jp", "gmail.com", "other.jp", "shop.example.com", "co.jp", "none.jp"}) {
    CAPTURE(d);
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "SELECT coalesce(sum(count), 0) FROM history WHERE org_domain = ?", -1, &s,
                               nullptr) == SQLITE_OK);
    sqlite3_bind_text(s, 1, d, -1, SQLITE_STATIC);
    REQUIRE(sqlite3_step(s) == SQLITE_ROW);
    CHECK(*st->domain_count(d) == sqlite3_column_int64(s, 0));
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  CHECK(*st->domain_count("co.jp") == 6);
}

TEST_CASE("a kept statement answers again after use, with new binds, and across writes") {
  TempFile f;
  auto st = *store::open_sqlite(f.path);
  REQUIRE(st->record_delivery("a@example.co.jp", {{"p@partner.com", "partner.com", ""}}, 1).ok());
  CHECK(st->history("a@example.co.jp", "p@partner.com")->value().count == 1);
  CHECK_FALSE(st->history("a@example.co.jp", "q@partner.com")->has_value());
  REQUIRE(st->record_delivery("a@example.co.jp", {{"q@partner.com", "partner.com", ""}}, 2).ok());
  REQUIRE(st->record_delivery("a@example.co.jp", {{"p@partner.com", "partner.com", ""}}, 3).ok());
  CHECK(st->history("a@example.co.jp", "p@partner.com")->value().count == 2);
  CHECK(st->history("a@example.co.jp", "q@partner.com")->value().count == 1);
  CHECK(*st->domain_count("partner.com") == 3);
}

namespace {
store::SentMail sent(const std::string& sender, const std::string& to, int i) {
  store::SentMail m{sender, {{to, to.substr(to.find('@') + 1), ""}}, std::nullopt, 0, 1000 + i};
  if (i % 2 == 0) m.thread = store::ThreadRow{"<m" + std::to_string(i) + "@example.co.jp>", sender, {to}, {to}, 1000 + i};
  m.exposed = i % 3;
  return m;
}
}  // namespace

TEST_CASE("the history writer writes every mail handed to it, many per transaction, before it is gone") {
  TempFile f;
  auto opened = store::open_sqlite(f.path);
  REQUIRE(opened.ok());
  auto st = *opened;
  const int n = 600;
  std::int64_t transactions = 0;
  {
    context::HistoryWriter writer(st, 64);
    for (int i = 0; i < n; ++i) writer.add(sent("taro@example.co.jp", "c" + std::to_string(i % 200) + "@client.co.jp", i));
    writer.flush();
    transactions = writer.transactions();
    CHECK(transactions >= n / 64);  // no transaction holds more than the batch
    CHECK(transactions <= n);
    for (int i = 0; i < 50; ++i) writer.add(sent("jiro@example.co.jp", "late@client.co.jp", n + i));
  }  // destroyed with 50 mails perhaps unwritten: it writes them first
  auto total = st->domain_count("client.co.jp");
  REQUIRE(total.ok());
  CHECK(*total == n + 50);
  auto h = st->history("taro@example.co.jp", "c7@client.co.jp");
  REQUIRE(h.ok());
  REQUIRE(h->has_value());
  CHECK((*h)->count == 3);
  CHECK((*h)->last_seen == 1000 + 407);
  auto late = st->history("jiro@example.co.jp", "late@client.co.jp");
  REQUIRE(late.ok());
  REQUIRE(late->has_value());
  CHECK((*late)->count == 50);
  auto threads = st->threads({"<m0@example.co.jp>", "<m1@example.co.jp>", "<m598@example.co.jp>"});
  REQUIRE(threads.ok());
  CHECK(threads->size() == 2);  // odd mails had no Message-ID
  auto exposed = st->exposed_since("taro@example.co.jp", 0);
  REQUIRE(exposed.ok());
  CHECK(*exposed == n / 3 * (0 + 1 + 2));
}

TEST_CASE("writes of a scratch store are savepoints of its one transaction: a failed call leaves nothing") {
  TempFile f;
  REQUIRE(store::open_sqlite(f.path).ok());  // a store file, whose copy refuses every exposure row
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(f.path.c_str(), &db) == SQLITE_OK);
  CHECK(sqlite3_exec(db, "CREATE TRIGGER refuse BEFORE INSERT ON exposures BEGIN SELECT RAISE(ABORT, 'refused'); END",
                     nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  auto opened = store::open_scratch_sqlite(f.path);
  REQUIRE(opened.ok());
  auto st = *opened;
  auto count = [&] {
    auto total = st->domain_count("client.co.jp");
    REQUIRE(total.ok());
    return *total;
  };
  CHECK(st->record_sent({sent("taro@example.co.jp", "a@client.co.jp", 0)}).ok());  // exposes nobody
  CHECK(count() == 1);
  // The second mail exposes addresses: its exposure row is refused, and the whole call is undone.
  auto refused = st->record_sent({sent("taro@example.co.jp", "b@client.co.jp", 3), sent("taro@example.co.jp", "c@client.co.jp", 1)});
  CHECK_FALSE(refused.ok());
  CHECK(count() == 1);
  auto b = st->history("taro@example.co.jp", "b@client.co.jp");
  REQUIRE(b.ok());
  CHECK_FALSE(b->has_value());
  // The store's own transaction is still open and usable.
  CHECK(st->record_sent({sent("taro@example.co.jp", "d@client.co.jp", 6)}).ok());
  CHECK(count() == 2);
}
