// The queue's pure parts and the spool: approver resolution, SMTP data framing, durable spool files.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "preflight/queue/queue.hpp"

using namespace preflight;

TEST_CASE("approvers: addresses, roles, supervisor, self and delegates") {
  detect::Organisation org;
  org.roles["security"] = {"sec1@example.co.jp", "sec2@example.co.jp"};
  org.directory["taro@example.co.jp"] = {"boss@example.co.jp", "", "", "sales"};
  org.directory["boss@example.co.jp"] = {"ceo@example.co.jp", "vice@example.co.jp", "acting@example.co.jp", ""};
  policy::HoldSpec spec;
  spec.approvers = {"supervisor", "role:security", "self", "Audit@Example.co.jp", "sec1@example.co.jp"};
  auto got = queue::resolve_approvers(spec, "Taro@example.co.jp", org);
  CHECK(got == std::vector<std::string>{"boss@example.co.jp", "sec1@example.co.jp", "sec2@example.co.jp",
                                        "taro@example.co.jp", "audit@example.co.jp", "acting@example.co.jp"});
  CHECK(queue::deputies_of({"boss@example.co.jp"}, org) == std::vector<std::string>{"vice@example.co.jp"});
  spec.approvers = {"supervisor"};
  CHECK(queue::resolve_approvers(spec, "unknown@example.co.jp", org) ==
        std::vector<std::string>{"sec1@example.co.jp", "sec2@example.co.jp"});  // the fallback role
  org.approver_fallback.clear();
  CHECK(queue::resolve_approvers(spec, "unknown@example.co.jp", org).empty());
}

TEST_CASE("approvers: the sender is never an approver unless the rule says self") {
  struct Case {
    std::vector<std::string> approvers;
    std::string sender;
    std::string fallback;
    std::vector<std::string> expected;
  };
  detect::Organisation org;
  org.roles["security"] = {"sec@example.co.jp"};
  org.roles["empty"] = {};
  org.roles["team"] = {"taro@example.co.jp", "hana@example.co.jp"};
  org.directory["taro@example.co.jp"] = {"boss@example.co.jp", "", "", ""};
  org.directory["boss@example.co.jp"] = {"", "", "taro@example.co.jp", ""};  // boss's delegate is taro
  org.directory["self@example.co.jp"] = {"self@example.co.jp", "", "", ""};  // own supervisor
  const std::vector<Case> cases = {
      {{"supervisor"}, "nobody@example.co.jp", "security", {"sec@example.co.jp"}},
      {{"supervisor"}, "nobody@example.co.jp", "", {}},
      {{"role:empty"}, "taro@example.co.jp", "security", {"sec@example.co.jp"}},
      {{"supervisor"}, "taro+x@example.co.jp", "", {"boss@example.co.jp"}},  // extension removed before look-up
      {{"supervisor"}, "TARO@Example.CO.JP", "", {"boss@example.co.jp"}},    // case too
      {{"role:team"}, "taro+x@example.co.jp", "", {"hana@example.co.jp"}},   // in the role: taken out
      {{"supervisor"}, "self@example.co.jp", "security", {"sec@example.co.jp"}},  // own supervisor: not asked
      {{"boss@example.co.jp"}, "taro@example.co.jp", "", {"boss@example.co.jp"}},  // boss's delegate is the sender
      {{"self"}, "Taro+x@example.co.jp", "security", {"taro@example.co.jp"}},
      {{"supervisor", "self"}, "taro@example.co.jp", "", {"boss@example.co.jp", "taro@example.co.jp"}},
  };
  for (const auto& c : cases) {
    CAPTURE(c.sender);
    CAPTURE(c.fallback);
    org.approver_fallback = c.fallback;
    policy::HoldSpec spec;
    spec.approvers = c.approvers;
    CHECK(queue::resolve_approvers(spec, c.sender, org) == c.expected);
  }
}

TEST_CASE("smtp data: CRLF line ends, dot-stuffing and the final dot") {
  CHECK(queue::smtp_data("a\n.b\r\n..c\rd") == "a\r\n..b\r\n...c\r\nd\r\n.\r\n");
  CHECK(queue::smtp_data(".") == "..\r\n.\r\n");
  CHECK(queue::smtp_data("") == "\r\n.\r\n");
}

TEST_CASE("smtp replies are taken whole, line by line, and a line without a code gives code 0") {
  struct Row {
    std::string received;
    bool complete;
    int code;
    std::string text, left;
  };
  const std::vector<Row> rows = {
      {"220 mx ESMTP\r\n", true, 220, "220 mx ESMTP ", ""},
      {"250-mx\r\n250-PIPELINING\r\n250 8BITMIME\r\n354 go\r\n", true, 250,
       "250-mx 250-PIPELINING 250 8BITMIME ", "354 go\r\n"},
      {"250-mx\r\n250-PIPE", false, 0, "", "250-mx\r\n250-PIPE"},
      {"250 ok", false, 0, "", "250 ok"},
      {"55\r\n", true, 0, "55 ", ""},
      {"2x0 odd\r\n", true, 0, "2x0 odd ", ""},
      {"\r\n", true, 0, " ", ""},
      {"421\r\n", true, 421, "421 ", ""},
  };
  for (const auto& row : rows) {
    CAPTURE(row.received);
    std::string received = row.received;
    auto reply = queue::take_smtp_reply(received);
    REQUIRE(reply.has_value() == row.complete);
    CHECK(received == row.left);
    if (!reply) continue;
    CHECK(reply->code == row.code);
    CHECK(reply->text == row.text);
  }
}

TEST_CASE("spool: stored files are complete under their final name") {
  std::string dir = "/tmp/preflight-spool-test-" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  queue::Spool spool(dir);
  REQUIRE(spool.prepare().ok());
  util::SpillBuffer raw(8, dir);
  REQUIRE(raw.append("Subject: x\r\n\r\nbody that spills to a file\r\n").empty());
  REQUIRE(raw.spilled());
  std::string id = queue::new_id();
  REQUIRE(spool.store(id, raw).ok());
  CHECK(*spool.load(id) == "Subject: x\r\n\r\nbody that spills to a file\r\n");
  CHECK(spool.ids() == std::vector<std::string>{id});
  CHECK(std::filesystem::is_empty(dir + "/tmp"));
  struct stat st;
  REQUIRE(stat(spool.path(id).c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK_FALSE(spool.store(id, "again").ok());  // an id is never overwritten
  CHECK_FALSE(spool.store("../escape", "x").ok());
  CHECK(spool.remove(id));
  CHECK_FALSE(spool.load(id).ok());
  std::filesystem::remove_all(dir);
}

TEST_CASE("spool: a missing directory is an error and leaves nothing behind") {
  queue::Spool spool("/nonexistent/preflight-spool");
  auto r = spool.store(queue::new_id(), "bytes");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().find("spool: cannot create") == 0);
}
