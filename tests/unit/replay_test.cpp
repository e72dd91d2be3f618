// `preflightctl replay`: sources (directories of .eml, mbox, Maildir, envelope files), ordering by time,
// the scratch history learning in simulated time, skipped bad files, two-policy differences, JSON output.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "../../src/cli/replay.hpp"
#include "preflight/cli/cli.hpp"
#include "preflight/mail/date.hpp"

using namespace preflight;
namespace fs = std::filesystem;

namespace {

const char* kPolicy = R"(organisation:
  internal_domains: [example.co.jp]
rules:
  - id: first-time
    when: "recipients.first_time_count >= 1"
    action: { type: tag, tag: first-time }
  - id: invoice
    when: 'message.subject contains "invoice"'
    action: { type: tag, tag: invoice }
  - id: refuse
    when: 'message.subject contains "REFUSE"'
    action: { type: reject, message: "refused" }
)";

struct TempDir {
  fs::path dir;
  explicit TempDir(const std::string& name) {
    dir = fs::temp_directory_path() / ("preflight-replay-" + name + "-" + std::to_string(getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::ofstream(dir / "policy.yaml") << kPolicy;
    std::ofstream(dir / "preflight.yaml") << "state_dir: " << dir.string() << "\npolicies: [policy.yaml]\n";
  }
  ~TempDir() { fs::remove_all(dir); }
  std::string operator/(const std::string& name) const { return (dir / name).string(); }
  void write(const std::string& name, const std::string& text) const {
    fs::create_directories((dir / name).parent_path());
    std::ofstream(dir / name, std::ios::binary) << text;
  }
};

std::string eml(const std::string& to, const std::string& subject, const std::string& date,
                 const std::string& body = "Hello.\n") {
  return "From: Taro <taro@example.co.jp>\nTo: " + to + "\nSubject: " + subject + "\nDate: " + date +
         "\nMessage-ID: <" + subject + "@example.co.jp>\n\n" + body;
}

struct Replayed {
  int rc = -1;
  nlohmann::json json;
  std::string text, err;
};

Replayed replay(std::vector<std::string> args, bool json = true) {
  if (json) args.push_back("--json");
  args.insert(args.begin(), "replay");
  std::ostringstream out, err;
  Replayed r;
  r.rc = cli::run(args, out, err);
  r.err = err.str();
  r.text = out.str();
  if (json && r.rc == 0) r.json = nlohmann::json::parse(r.text);
  return r;
}

// Replays one source with the test configuration; the run must succeed.
nlohmann::json replayed(const TempDir& t, const std::string& source) {
  auto r = replay({source, "--config", t / "preflight.yaml"});
  INFO(r.err);
  REQUIRE(r.rc == 0);
  return r.json;
}

std::vector<std::string> files(const nlohmann::json& j) {
  std::vector<std::string> out;
  for (const auto& m : j["mails"]) out.push_back(fs::path(m["file"].get<std::string>()).filename().string());
  return out;
}

std::vector<std::string> rules_of(const nlohmann::json& mail) { return mail["rules"].get<std::vector<std::string>>(); }

}  // namespace

TEST_CASE("replay: a directory of .eml files is read recursively and replayed in Date order") {
  TempDir t("eml");
  t.write("b/late.eml", eml("a@partner.example.com", "late", "Mon, 30 Nov 2026 10:00:00 +0900"));
  t.write("early.eml", eml("b@partner.example.com", "early", "Mon, 30 Nov 2026 09:00:00 +0900"));
  t.write("middle.EML", eml("c@partner.example.com", "middle", "Mon, 30 Nov 2026 00:30:00 +0000"));
  t.write("notes.txt", "not a mail");
  auto j = replayed(t, t.dir.string());
  CHECK(files(j) == std::vector<std::string>{"early.eml", "middle.EML", "late.eml"});
  CHECK(j["mails"][0]["time"] == "2026-11-30T00:00:00Z");
  CHECK(j["mails"][0]["from"] == "taro@example.co.jp");
  CHECK(j["mails"][0]["subject"] == "early");
}

TEST_CASE("replay: an mbox is split at its From lines and >From quoting is undone") {
  TempDir t("mbox");
  std::string box = "From taro@example.co.jp Mon Nov 30 09:00:00 2026\n" +
                    eml("a@partner.example.com", "second", "Mon, 30 Nov 2026 11:00:00 +0900", "Hi\n>From here\n\n") +
                    "From taro@example.co.jp Mon Nov 30 08:00:00 2026\n" +
                    eml("b@partner.example.com", "first", "Mon, 30 Nov 2026 08:00:00 +0900") + "\n";
  t.write("sent.mbox", box);
  auto scan = cli::replay::scan_sources({t / "sent.mbox"});
  REQUIRE(scan.items.size() == 2);
  auto raw = cli::replay::load(scan.items[0]);
  REQUIRE(raw.ok());
  CHECK(raw->find("\nFrom here\n") != std::string::npos);
  CHECK(raw->find(">From") == std::string::npos);
  auto j = replayed(t, t / "sent.mbox");
  CHECK(files(j) == std::vector<std::string>{"sent.mbox#2", "sent.mbox#1"});
  CHECK(j["mails"][1]["subject"] == "second");
}

TEST_CASE("replay: a Maildir's cur and new folders are read, tmp is not") {
  TempDir t("maildir");
  t.write("Sent/cur/1700000001.M1.host:2,S", eml("a@partner.example.com", "one", "Tue, 1 Dec 2026 09:00:00 +0900"));
  t.write("Sent/new/1700000002.M2.host", eml("b@partner.example.com", "two", "Tue, 1 Dec 2026 10:00:00 +0900"));
  t.write("Sent/tmp/1700000003.M3.host", eml("c@partner.example.com", "three", "Tue, 1 Dec 2026 11:00:00 +0900"));
  auto j = replayed(t, t / "Sent");
  REQUIRE(j["mails"].size() == 2);
  CHECK(j["mails"][0]["subject"] == "one");
  CHECK(j["mails"][1]["subject"] == "two");
}

TEST_CASE("replay: the history learns in simulated time, so a new address is first-time only once") {
  TempDir t("learn");
  // File order is the reverse of time order: only sorting by Date makes "first" the first-time mail.
  t.write("m/1.eml", eml("new@partner.example.com", "second", "Wed, 2 Dec 2026 10:00:00 +0900"));
  t.write("m/2.eml", eml("new@partner.example.com", "first", "Wed, 2 Dec 2026 09:00:00 +0900"));
  auto j = replayed(t, t / "m");
  REQUIRE(j["mails"].size() == 2);
  CHECK(j["mails"][0]["subject"] == "first");
  CHECK(rules_of(j["mails"][0]) == std::vector<std::string>{"first-time"});
  CHECK(j["mails"][0]["action"] == "tag");
  CHECK(rules_of(j["mails"][1]).empty());
  CHECK(j["mails"][1]["action"] == "accept");
}

TEST_CASE("replay: a rejected mail teaches nothing") {
  TempDir t("reject");
  t.write("m/1.eml", eml("new@partner.example.com", "REFUSE", "Wed, 2 Dec 2026 09:00:00 +0900"));
  t.write("m/2.eml", eml("new@partner.example.com", "again", "Wed, 2 Dec 2026 10:00:00 +0900"));
  t.write("m/3.eml", eml("new@partner.example.com", "known", "Wed, 2 Dec 2026 11:00:00 +0900"));
  auto j = replayed(t, t / "m");
  REQUIRE(j["mails"].size() == 3);
  CHECK(j["mails"][0]["action"] == "reject");
  CHECK(rules_of(j["mails"][1]) == std::vector<std::string>{"first-time"});  // still never sent to
  CHECK(rules_of(j["mails"][2]).empty());
  CHECK(j["totals"]["reject"] == 1);
  CHECK(j["totals"]["tag"] == 1);
  CHECK(j["totals"]["accept"] == 1);
}

TEST_CASE("replay: bad files are reported by name and skipped, the rest is replayed") {
  TempDir t("bad");
  t.write("m/good.eml", eml("a@partner.example.com", "good", "Wed, 2 Dec 2026 09:00:00 +0900"));
  t.write("m/empty.eml", "");
  t.write("m/nobody.eml", "From: taro@example.co.jp\nSubject: nobody\n\nno recipients\n");
  auto r = replay({t / "m", t / "missing.mbox", "--config", t / "preflight.yaml"});
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK(files(r.json) == std::vector<std::string>{"good.eml"});
  std::set<std::string> bad;
  for (const auto& e : r.json["errors"]) {
    bad.insert(fs::path(e["file"].get<std::string>()).filename().string());
    CHECK(!e["error"].get<std::string>().empty());
  }
  CHECK(bad == std::set<std::string>{"empty.eml", "nobody.eml", "missing.mbox"});
}

TEST_CASE("replay: mails without a usable date are replayed last and counted") {
  TempDir t("undated");
  t.write("m/a.eml", eml("a@partner.example.com", "undated", "sometime soon"));
  t.write("m/b.eml", eml("b@partner.example.com", "dated", "Wed, 2 Dec 2026 09:00:00 +0900"));
  auto r = replay({t / "m", "--config", t / "preflight.yaml"});
  REQUIRE(r.rc == 0);
  CHECK(files(r.json) == std::vector<std::string>{"b.eml", "a.eml"});
  CHECK(r.json["mails"][1]["time"].is_null());
  CHECK(r.json["undated"] == 1);
  auto ranged = replay({t / "m", "--config", t / "preflight.yaml", "--from-date", "2026-12-02T00:00:00+09:00"});
  REQUIRE(ranged.rc == 0);
  CHECK(files(ranged.json) == std::vector<std::string>{"b.eml"});
  CHECK(ranged.json["undated_skipped"] == 1);
}

TEST_CASE("replay: an envelope file chooses the mails, their envelopes and their times") {
  TempDir t("envelopes");
  // The headers say otherwise: the envelope file decides recipients and order.
  t.write("m/x.eml", eml("other@else.example.net", "x", "Wed, 2 Dec 2026 09:00:00 +0900"));
  t.write("m/y.eml", eml("other@else.example.net", "y", "Wed, 2 Dec 2026 08:00:00 +0900"));
  t.write("m/unlisted.eml", eml("other@else.example.net", "unlisted", "Wed, 2 Dec 2026 08:00:00 +0900"));
  t.write("env.jsonl",
          R"({"file": "m/x.eml", "from": "taro@example.co.jp", "rcpts": ["n@partner.example.com"], "time": "2026-12-01T09:00:00+09:00", "label": "ok"})"
          "\n"
          R"({"file": "m/y.eml", "from": "taro@example.co.jp", "rcpts": ["n@partner.example.com"], "time": "2026-12-01T10:00:00+09:00", "label": "ok"})"
          "\n{\"file\": \"m/none.eml\", \"from\": \"a@b\", \"rcpts\": [\"c@d\"]}\nnot json\n");
  auto r = replay({"--envelopes", t / "env.jsonl", "--config", t / "preflight.yaml"});
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK(files(r.json) == std::vector<std::string>{"x.eml", "y.eml"});
  CHECK(rules_of(r.json["mails"][0]) == std::vector<std::string>{"first-time"});
  CHECK(rules_of(r.json["mails"][1]).empty());
  CHECK(r.json["mails"][0]["time"] == "2026-12-01T00:00:00Z");
  CHECK(r.json["errors"].size() == 2);
}

TEST_CASE("replay: with a candidate policy the difference is exactly the mails whose action changes") {
  TempDir t("diff");
  std::string candidate = kPolicy;
  candidate.replace(candidate.find("{ type: tag, tag: invoice }"), 27, "{ type: hold, delay: 10m }");
  t.write("candidate.yaml", candidate);
  t.write("seed.log", "");
  t.write("m/1.eml", eml("a@partner.example.com", "invoice 1", "Wed, 2 Dec 2026 09:00:00 +0900"));
  t.write("m/2.eml", eml("a@partner.example.com", "hello", "Wed, 2 Dec 2026 10:00:00 +0900"));
  t.write("m/3.eml", eml("a@partner.example.com", "invoice 2", "Wed, 2 Dec 2026 11:00:00 +0900"));
  t.write("m/4.eml", eml("b@partner.example.com", "REFUSE invoice", "Wed, 2 Dec 2026 12:00:00 +0900"));
  auto r = replay({t / "m", "--config", t / "preflight.yaml", "--policy", t / "candidate.yaml"});
  INFO(r.err);
  REQUIRE(r.rc == 0);
  std::vector<std::string> changed;
  for (const auto& d : r.json["diff"]) changed.push_back(fs::path(d["file"].get<std::string>()).filename().string());
  CHECK(changed == std::vector<std::string>{"1.eml", "3.eml"});
  CHECK(r.json["diff"][1]["old_action"] == "tag");
  CHECK(r.json["diff"][1]["new_action"] == "hold");
  CHECK(r.json["diff"][1]["new_rules"] == nlohmann::json::array({"invoice"}));
  CHECK(r.json["candidate"]["totals"]["hold"] == 2);
  CHECK(r.json["totals"]["hold"] == 0);
  auto text = replay({t / "m", "--config", t / "preflight.yaml", "--policy", t / "candidate.yaml"}, false);
  REQUIRE(text.rc == 0);
  CHECK(text.text.find("2 mails with another action") != std::string::npos);
  CHECK(text.text.find("1.eml: tag -> hold, first-time, invoice -> first-time, invoice\n") != std::string::npos);
  CHECK(text.text.find("== candidate policy") != std::string::npos);
}

TEST_CASE("replay: --json has the documented keys and per-rule tables with examples") {
  TempDir t("json");
  for (int i = 0; i < 5; ++i)
    t.write("m/" + std::to_string(i) + ".eml",
            eml("p" + std::to_string(i) + "@partner.example.com", "invoice " + std::to_string(i),
                 "Wed, 2 Dec 2026 0" + std::to_string(i) + ":00:00 +0900"));
  auto r = replay({t / "m", "--config", t / "preflight.yaml", "--examples", "2"});
  REQUIRE(r.rc == 0);
  for (const char* k : {"mails", "rules", "totals", "errors"}) CHECK(r.json.contains(k));
  CHECK(!r.json.contains("diff"));
  for (const char* k : {"file", "time", "from", "action", "rules", "subject"}) CHECK(r.json["mails"][0].contains(k));
  const auto& inv = r.json["rules"]["invoice"];
  CHECK(inv["matched"] == 5);
  CHECK(inv["enforce"] == 5);
  CHECK(inv["monitor"] == 0);
  CHECK(inv["actions"]["tag"] == 5);
  CHECK(inv["examples"].size() == 2);
  CHECK(r.json["rules"]["refuse"]["matched"] == 0);
  CHECK(r.json["totals"]["tag"] == 5);
  CHECK(r.json["mails"][0]["why"]["invoice"] == "message.subject = \"invoice 0\"");
}

TEST_CASE("replay: usage errors exit 64, unreadable policies 1") {
  TempDir t("usage");
  CHECK(replay({}).rc == 64);
  CHECK(replay({t / "m", "--bogus"}).rc == 64);
  CHECK(replay({t / "m", "--policy", t / "policy.yaml", "--policy", t / "policy.yaml", "--config", t / "preflight.yaml"}).rc == 64);
  t.write("broken.yaml", "rules: [ {id: x, when: 'nonsense.fact > 1', action: {type: tag}} ]\n");
  CHECK(replay({t / "m", "--policy", t / "broken.yaml"}).rc == 1);
}

TEST_CASE("mail dates: RFC 5322 Date values and ISO 8601 timestamps") {
  struct Case {
    const char* text;
    std::optional<std::int64_t> rfc5322, iso;
  };
  const std::int64_t t = 1795998062;  // 2026-11-30T00:21:02Z
  const Case cases[] = {
      {"Mon, 30 Nov 2026 09:21:02 +0900", t, std::nullopt},
      {"30 Nov 2026 00:21:02 GMT", t, std::nullopt},
      {"Mon, 29 Nov 2026 19:21:02 -0500 (EST)", t, std::nullopt},
      {"Mon, 30 Nov 26 09:21:02 JST", t, std::nullopt},
      {"Mon, 30 Nov 2026 09:21 +0900", t - 2, std::nullopt},
      {"2026-11-30T09:21:02+09:00", std::nullopt, t},
      {"2026-11-30T00:21:02.250Z", std::nullopt, t},
      {"2026-11-30 00:21:02", std::nullopt, t},
      {"2026-11-30T09:21:02+0900", std::nullopt, t},
      {"tomorrow", std::nullopt, std::nullopt},
      {"Mon, 30 Foo 2026 09:21:02 +0900", std::nullopt, std::nullopt},
      {"2026-11-30T09:21:02+9", std::nullopt, std::nullopt},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    CHECK(mail::parse_date(c.text) == c.rfc5322);
    CHECK(mail::parse_iso8601(c.text) == c.iso);
  }
  CHECK(mail::civil_to_unix(2024, 2, 29, 0, 0, 0) == 1709164800);
}

TEST_CASE("replay: inbound mail in a second envelope file teaches, as learn mode would, and is not judged") {
  TempDir t("inbound");
  t.write("out/1.eml", eml("customer@client.co.jp", "first", "Mon, 30 Nov 2026 09:00:00 +0900"));
  t.write("in/1.eml",
          "From: customer@client.co.jp\nTo: taro@example.co.jp\nCc: colleague@client.co.jp\nSubject: Re: first\n"
          "Date: Mon, 30 Nov 2026 10:00:00 +0900\nMessage-ID: <in1@client.co.jp>\n\nPlease also ask my colleague.\n");
  t.write("out/2.eml",
          "From: taro@example.co.jp\nTo: customer@client.co.jp\nCc: colleague@client.co.jp\nSubject: Re: first\n"
          "Date: Mon, 30 Nov 2026 11:00:00 +0900\nMessage-ID: <out2@example.co.jp>\nIn-Reply-To: <in1@client.co.jp>\n\n"
          "Sure.\n");
  t.write("out.jsonl",
          R"({"file": "out/1.eml", "from": "taro@example.co.jp", "rcpts": ["customer@client.co.jp"]})" "\n"
          R"({"file": "out/2.eml", "from": "taro@example.co.jp", "rcpts": ["customer@client.co.jp", "colleague@client.co.jp"]})" "\n");
  t.write("in.jsonl",
          R"({"file": "in/1.eml", "from": "customer@client.co.jp", "rcpts": ["taro@example.co.jp"], "direction": "in"})" "\n");
  auto rules_of_reply = [](const nlohmann::json& j) { return j["mails"][1]["rules"].get<std::vector<std::string>>(); };
  auto without = replay({"--envelopes", t / "out.jsonl", "--config", t / "preflight.yaml"});
  REQUIRE(without.rc == 0);
  CHECK(rules_of_reply(without.json) == std::vector<std::string>{"first-time"});  // the colleague is new
  auto with = replay({"--envelopes", t / "out.jsonl", "--envelopes", t / "in.jsonl", "--config", t / "preflight.yaml"});
  INFO(with.err);
  REQUIRE(with.rc == 0);
  CHECK(with.json["inbound"] == 1);
  REQUIRE(with.json["mails"].size() == 2);  // the inbound mail is learned from, not judged
  CHECK(rules_of_reply(with.json).empty());
  t.write("bad.jsonl", R"({"file": "in/1.eml", "rcpts": ["taro@example.co.jp"], "direction": "sideways"})" "\n");
  auto bad = replay({"--envelopes", t / "bad.jsonl", "--config", t / "preflight.yaml"});
  REQUIRE(bad.rc == 0);
  CHECK(bad.json["errors"].size() == 1);
}
