// preflightctl queue: bad arguments are refused before the store is touched; `list` pages over a real
// SQLite store.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "preflight/cli/cli.hpp"
#include "preflight/store/store.hpp"

using namespace preflight;

TEST_CASE("queue purge refuses an --older-than that is not a whole number of days") {
  std::ostringstream out, err;
  CHECK(cli::run({"queue", "purge", "--older-than", "3O", "--config", "/nonexistent.yaml"}, out, err) == 64);
  CHECK(err.str().find("--older-than takes a whole number of days, not '3O'") != std::string::npos);
  std::ostringstream out2, err2;
  CHECK(cli::run({"queue", "purge", "--older-than", "-1", "--config", "/nonexistent.yaml"}, out2, err2) == 64);
}

TEST_CASE("queue --bcc belongs to approve only") {
  std::ostringstream out, err;
  CHECK(cli::run({"queue", "reject", "X1", "--bcc", "--config", "/nonexistent.yaml"}, out, err) == 64);
  CHECK(err.str().find("--bcc belongs to approve") != std::string::npos);
}

namespace {

struct QueueDir {
  std::string path = "/tmp/preflight-queue-cli-test-" + std::to_string(getpid());
  std::string config = path + "/preflight.yaml";
  QueueDir() {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
    std::ofstream(path + "/policy.yaml") << "rules: []\n";
    std::ofstream(config) << "state_dir: " << path << "\npolicies: [policy.yaml]\n";
  }
  ~QueueDir() { std::filesystem::remove_all(path); }
};

// `n` held messages h00000.. created one second apart, every third asking boss@ for approval.
void hold_many(store::Store& st, int n) {
  for (int i = 0; i < n; ++i) {
    store::HeldMessage m;
    char id[16];
    std::snprintf(id, sizeof id, "h%05d", i);
    m.id = id;
    m.kind = i % 3 == 0 ? store::HoldKind::Approval : store::HoldKind::Delay;
    if (i % 3 == 0) m.approvers = {"boss@example.co.jp"};
    m.sender = "taro@example.co.jp";
    m.recipients = {"a@partner.example.jp"};
    m.created_at = 1'800'000'000 + i;
    m.due_at = m.created_at + 300;
    REQUIRE(*st.insert_held(m, {m.id, m.created_at, "milter", "", "hold", "", "held", ""}));
  }
}

// The message ids of `queue list` text output, in order.
std::vector<std::string> listed_ids(const std::string& text) {
  std::vector<std::string> ids;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("h", 0) == 0) ids.push_back(line.substr(0, line.find(' ')));
  return ids;
}

}  // namespace

TEST_CASE("queue list pages with --limit and --offset, says the total and never drops rows silently") {
  QueueDir dir;
  {
    auto st = *store::open_sqlite(dir.path + "/preflight.db");
    hold_many(*st, 1205);
  }
  std::ostringstream first, err;
  REQUIRE(cli::run({"queue", "list", "--config", dir.config}, first, err) == 0);
  auto page1 = listed_ids(first.str());
  CHECK(page1.size() == 1000);
  CHECK(first.str().find("rows 1-1000 of 1205 message(s); next: --offset 1000\n") != std::string::npos);

  std::ostringstream second, err2;
  REQUIRE(cli::run({"queue", "list", "--offset", "1000", "--config", dir.config}, second, err2) == 0);
  auto page2 = listed_ids(second.str());
  CHECK(page2.size() == 205);
  CHECK(second.str().find("rows 1001-1205 of 1205 message(s)\n") != std::string::npos);
  page1.insert(page1.end(), page2.begin(), page2.end());
  REQUIRE(page1.size() == 1205);
  for (int i = 0; i < 1205; ++i) CHECK(page1[i] == "h" + std::string(5 - std::to_string(i).size(), '0') + std::to_string(i));

  std::ostringstream small, err3;
  REQUIRE(cli::run({"queue", "list", "--approver", "boss@example.co.jp", "--limit", "10", "--offset", "400",
                    "--config", dir.config}, small, err3) == 0);
  CHECK(listed_ids(small.str()) == std::vector<std::string>{"h01200", "h01203"});
  CHECK(small.str().find("rows 401-402 of 402 message(s)\n") != std::string::npos);

  std::ostringstream beyond, err4;
  REQUIRE(cli::run({"queue", "list", "--offset", "5000", "--config", dir.config}, beyond, err4) == 0);
  CHECK(beyond.str() == "no rows at offset 5000 of 1205 message(s)\n");

  std::ostringstream js, err5;
  REQUIRE(cli::run({"queue", "list", "--json", "--limit", "3", "--config", dir.config}, js, err5) == 0);
  auto rows = nlohmann::json::parse(js.str());
  REQUIRE(rows.size() == 3);
  CHECK(rows[2]["id"] == "h00002");
  CHECK(err5.str() == "rows 1-3 of 1205 message(s); next: --offset 3\n");  // stdout stays a JSON array
}

TEST_CASE("queue list: a whole short list keeps its one-line count") {
  QueueDir dir;
  {
    auto st = *store::open_sqlite(dir.path + "/preflight.db");
    hold_many(*st, 3);
  }
  std::ostringstream out, err;
  REQUIRE(cli::run({"queue", "list", "--json", "--config", dir.config}, out, err) == 0);
  CHECK(nlohmann::json::parse(out.str()).size() == 3);
  CHECK(err.str().empty());
}

TEST_CASE("queue --limit and --offset take whole numbers and belong to list") {
  for (std::vector<std::string> bad : {std::vector<std::string>{"queue", "list", "--limit", "1O"},
                                       {"queue", "list", "--limit", "0"},
                                       {"queue", "list", "--offset", "-5"},
                                       {"queue", "list", "--limit", "100001"},
                                       {"queue", "purge", "--limit", "5"}}) {
    bad.insert(bad.end(), {"--config", "/nonexistent.yaml"});
    std::ostringstream out, err;
    CHECK(cli::run(bad, out, err) == 64);
    CHECK_FALSE(err.str().empty());
  }
}
