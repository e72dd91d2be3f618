// Each approver's load on a real SQLite file: pending requests now, and the decisions they made in the last
// 30 days with the median time from hold to decision; the same figures through `preflightctl queue approvers`.
#include <doctest/doctest.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "preflight/cli/cli.hpp"
#include "preflight/queue/queue.hpp"

using namespace preflight;
using nlohmann::json;
using store::State;

namespace {

const std::string kBoss = "boss@example.co.jp", kDeputy = "deputy@example.co.jp";

struct Dir {
  std::string path = "/tmp/preflight-approver-load-test-" + std::to_string(getpid());
  Dir() {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~Dir() { std::filesystem::remove_all(path); }
};

// Holds a request for `approvers` at `created`; when `by` is not empty, `by` moves it to `to` at `decided`.
void request(store::Store& st, const std::string& id, std::vector<std::string> approvers, std::int64_t created,
             const std::string& by = "", State to = State::Approved, std::int64_t decided = 0) {
  store::HeldMessage m;
  m.id = id;
  m.kind = store::HoldKind::Approval;
  m.sender = "taro@example.co.jp";
  m.recipients = {"a@partner.example.jp"};
  m.created_at = created;
  m.expires_at = created + 86400;
  m.approvers = std::move(approvers);
  REQUIRE(*st.insert_held(m, {id, created, "milter", "", "hold", "", "held", ""}));
  if (!by.empty()) REQUIRE(*st.transition(id, State::Held, to, {id, decided, by, "", "decide", "", "", ""}));
}

// A known set of decisions around `now`: boss decided after 60 s, 120 s and 600 s (median 120 s), the deputy
// after 100 s and 300 s (median 200 s); boss has two requests pending, the deputy two.
void known_decisions(store::Store& st, std::int64_t now) {
  request(st, "h1", {kBoss, kDeputy}, now - 1000, kBoss, State::Approved, now - 940);
  request(st, "h2", {kBoss}, now - 2000, kBoss, State::Rejected, now - 1880);
  request(st, "h3", {kBoss, kDeputy}, now - 5000, kBoss, State::Approved, now - 4400);
  request(st, "h4", {kBoss, kDeputy}, now - 3000, kDeputy, State::Approved, now - 2900);
  request(st, "h5", {kDeputy}, now - 4000, kDeputy, State::Rejected, now - 3700);
  request(st, "old", {kBoss}, now - 40 * 86400, kBoss, State::Approved, now - 40 * 86400 + 50);  // before the period
  request(st, "admin", {kBoss}, now - 500, "cli:root", State::Approved, now - 100);  // not an approver's decision
  request(st, "expired", {kBoss, kDeputy}, now - 90000, "scheduler", State::Expired, now - 3600);
  request(st, "p1", {kBoss, kDeputy}, now - 600);
  request(st, "p2", {kBoss}, now - 60);
  request(st, "p3", {"Deputy@Example.co.jp"}, now - 30);  // addresses compare case-insensitively
  store::HeldMessage delay;
  delay.id = "d1";
  delay.kind = store::HoldKind::Delay;
  delay.sender = "taro@example.co.jp";
  delay.created_at = now - 10;
  delay.due_at = now + 290;
  REQUIRE(*st.insert_held(delay, {"d1", now - 10, "milter", "", "hold", "", "held", ""}));  // nobody's approval
}

}  // namespace

TEST_CASE("approver load counts pending requests and the median time to each approver's own decisions") {
  Dir dir;
  auto st = *store::open_sqlite(dir.path + "/preflight.db");
  const std::int64_t now = 1'800'000'000;
  known_decisions(*st, now);
  auto load = st->approver_load(now - 30 * 86400);
  REQUIRE(load.ok());
  REQUIRE(load->size() == 2);
  const auto& boss = (*load)[0];
  const auto& deputy = (*load)[1];
  CHECK(boss.approver == kBoss);
  CHECK(boss.pending == 2);
  CHECK(boss.decided == 3);
  CHECK(boss.median_decision_seconds == 120);
  CHECK(deputy.approver == kDeputy);
  CHECK(deputy.pending == 2);
  CHECK(deputy.decided == 2);
  CHECK(deputy.median_decision_seconds == 200);

  auto all = queue::approver_load_json(*st, now, 30, "");
  REQUIRE(all.ok());
  CHECK((*all)["days"] == 30);
  CHECK((*all)["approvers"].size() == 2);
  auto mine = queue::approver_load_json(*st, now, 30, "Deputy@example.co.jp");
  REQUIRE(mine.ok());
  CHECK((*mine)["approvers"] == json::array({{{"approver", kDeputy}, {"pending", 2}, {"decided", 2},
                                              {"median_decision_seconds", 200}}}));
  auto nobody = queue::approver_load_json(*st, now, 30, "nobody@example.co.jp");
  REQUIRE(nobody.ok());
  CHECK((*nobody)["approvers"].empty());
}

TEST_CASE("an approver with nothing decided in the period has no median, and the oldest decisions drop out") {
  Dir dir;
  auto st = *store::open_sqlite(dir.path + "/preflight.db");
  const std::int64_t now = 1'800'000'000;
  request(*st, "p1", {kBoss}, now - 100);
  request(*st, "d1", {kDeputy}, now - 31 * 86400, kDeputy, State::Approved, now - 31 * 86400 + 10);
  auto load = st->approver_load(now - 30 * 86400);
  REQUIRE(load.ok());
  REQUIRE(load->size() == 1);
  CHECK(load->front().approver == kBoss);
  CHECK(load->front().pending == 1);
  CHECK(load->front().decided == 0);
  CHECK(load->front().median_decision_seconds == -1);
  CHECK(st->approver_load(now - 32 * 86400)->size() == 2);
}

TEST_CASE("preflightctl queue approvers shows each approver's load as text and JSON") {
  Dir dir;
  {
    std::ofstream(dir.path + "/policy.yaml") << "rules: []\n";
    std::ofstream(dir.path + "/preflight.yaml") << "state_dir: " << dir.path << "\npolicies: [policy.yaml]\n";
    auto st = *store::open_sqlite(dir.path + "/preflight.db");
    known_decisions(*st, static_cast<std::int64_t>(std::time(nullptr)));
  }
  std::string config = dir.path + "/preflight.yaml";
  std::ostringstream out, err;
  REQUIRE(cli::run({"queue", "approvers", "--config", config, "--json"}, out, err) == 0);
  json j = json::parse(out.str());
  REQUIRE(j["approvers"].size() == 2);
  CHECK(j["approvers"][0] == json{{"approver", kBoss}, {"pending", 2}, {"decided", 3}, {"median_decision_seconds", 120}});
  std::ostringstream text, err2;
  REQUIRE(cli::run({"queue", "approvers", "--config", config}, text, err2) == 0);
  INFO(text.str());
  CHECK(text.str().find("      2        3      2m  boss@example.co.jp\n") != std::string::npos);
  CHECK(text.str().find("      2        2      4m  deputy@example.co.jp\n") != std::string::npos);  // 200 s, rounded up
  std::ostringstream one, err3;
  REQUIRE(cli::run({"queue", "approvers", "--approver", kDeputy, "--config", config, "--json"}, one, err3) == 0);
  CHECK(json::parse(one.str())["approvers"].size() == 1);
}
