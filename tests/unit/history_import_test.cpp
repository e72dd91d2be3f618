// Bootstrapping the delivery history from Postfix logs (plain and rotated .gz files).
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "preflight/cli/cli.hpp"
#include "preflight/context/postfix_log.hpp"
#include "preflight/store/store.hpp"

using namespace preflight;

namespace {
const char* kLog =
    "Nov 22 09:00:00 gw postfix/qmgr[100]: 4AAA: from=<Taro@example.co.jp>, size=900, nrcpt=2 (queue active)\n"
    "Nov 22 09:00:01 gw postfix/smtp[200]: 4AAA: to=<a@partner.com>, relay=mx[1.2.3.4]:25, delay=1, dsn=2.0.0, "
    "status=sent (250 ok)\n"
    "Nov 22 09:00:01 gw postfix/smtp[200]: 4AAA: to=<b@partner.com>, relay=mx[1.2.3.4]:25, dsn=4.0.0, "
    "status=deferred (try later)\n"
    "Nov 22 09:00:02 gw postfix/smtp[201]: 4BBB: to=<orphan@x.com>, status=sent (250 ok)\n"
    "Nov 22 09:00:03 gw postfix/cleanup[300]: 4CCC: message-id=<x@y>\n";
}  // namespace

TEST_CASE("history import: only delivered recipients of known senders are learned") {
  context::PostfixLogReader r(2026);
  std::vector<context::LogDelivery> got;
  std::istringstream in(kLog);
  for (std::string line; std::getline(in, line);)
    if (auto d = r.feed(line)) got.push_back(*d);
  REQUIRE(got.size() == 1);
  CHECK(got[0].from == "taro@example.co.jp");
  CHECK(got[0].to == "a@partner.com");
  CHECK(got[0].at == 1795338001);  // 2026-11-22 09:00:01 UTC
  auto iso = context::PostfixLogReader(2026);
  iso.feed("2026-11-20T08:00:00.123+09:00 gw postfix/qmgr[1]: 5X: from=<s@example.co.jp>, size=1");
  auto d = iso.feed("2026-11-20T08:00:01.456+09:00 gw postfix/smtp[2]: 5X: to=<t@p.jp>, status=sent (250)");
  REQUIRE(d);
  CHECK(d->to == "t@p.jp");
  CHECK(d->at == 1795129201);  // 2026-11-19 23:00:01 UTC: the +09:00 offset is honoured
}

TEST_CASE("history import: preflightctl reads rotated gz logs into the store") {
  std::string dir = "/tmp/preflight-history-test-" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/mail.log.1") << kLog;
  REQUIRE(std::system(("gzip -f " + dir + "/mail.log.1").c_str()) == 0);
  std::ofstream(dir + "/mail.log")
      << "Nov 23 10:00:00 gw postfix/qmgr[1]: 4DDD: from=<taro@example.co.jp>, size=1, nrcpt=1\n"
         "Nov 23 10:00:01 gw postfix/smtp[2]: 4DDD: to=<a@partner.com>, status=sent (250 ok)\n";
  std::ofstream(dir + "/preflight.yaml") << "state_dir: " << dir << "\npolicies: [p.yaml]\n";
  std::ostringstream out, err;
  int rc = cli::run({"history", "import", dir + "/mail.log.1.gz", dir + "/mail.log", "--config", dir + "/preflight.yaml"},
                    out, err);
  INFO(err.str());
  REQUIRE(rc == 0);
  CHECK(out.str().rfind("2 deliveries imported", 0) == 0);
  auto st = store::open_sqlite(dir + "/preflight.db");
  REQUIRE(st.ok());
  auto h = (*st)->history("taro@example.co.jp", "a@partner.com");
  REQUIRE(h.ok());
  REQUIRE(h->has_value());
  CHECK((*h)->count == 2);
  CHECK(*(*st)->domain_count("partner.com") == 2);
  std::ostringstream out2, err2;
  CHECK(cli::run({"history", "import", dir + "/missing.log", "--config", dir + "/preflight.yaml"}, out2, err2) == 1);
  std::filesystem::remove_all(dir);
}
