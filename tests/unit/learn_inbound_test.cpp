// Learning from mail that came in (context::record_received) against a real SQLite file, read back through
// the same StoreContext and detectors the milter uses; and the learn_daemons configuration key.
#include <doctest/doctest.h>
#include <unistd.h>

#include <fstream>

#include "preflight/action/plan.hpp"
#include "preflight/context/received.hpp"
#include "preflight/context/store_context.hpp"
#include "preflight/daemon/config.hpp"
#include "preflight/detect/recipient_checks.hpp"
#include "preflight/mail/parse.hpp"

using namespace preflight;
using StringList = std::vector<std::string>;

namespace {

struct Lab {
  std::string path = "/tmp/preflight-learn-test-" + std::to_string(getpid()) + ".db";
  std::shared_ptr<store::Store> st;
  detect::Organisation org;
  Lab() {
    cleanup();
    st = *store::open_sqlite(path);
    org.internal_domains = {"example.co.jp"};
  }
  ~Lab() {
    st.reset();
    cleanup();
  }
  void cleanup() {
    for (const char* s : {"", "-wal", "-shm"}) unlink((path + s).c_str());
  }
  static mail::Envelope envelope(const std::string& from, const StringList& rcpts) {
    mail::Envelope env;
    env.sender = mail::parse_addr_spec(from);
    for (const auto& r : rcpts) env.recipients.push_back(mail::parse_addr_spec(r));
    return env;
  }
  static mail::Message parse(const std::string& raw) {
    auto m = mail::parse_message(raw);
    REQUIRE(m.ok());
    return *m;
  }
  context::Received receive(const std::string& from, const StringList& rcpts, const std::string& raw) {
    return context::record_received(*st, envelope(from, rcpts), parse(raw), org, 1000);
  }
  void send(const std::string& from, const StringList& rcpts, const std::string& raw) {
    mail::Message msg = parse(raw);
    context::record_sent(*st, envelope(from, rcpts), msg, action::shown_to_cc(msg, {}), org, 900);
  }
  // The history and thread facts of an outgoing mail, as the milter computes them.
  detect::Facts check(const std::string& from, const StringList& rcpts, const std::string& raw) {
    context::StoreContext ctx(st, std::make_shared<context::DomainCache>(), 3600, 2000);
    detect::Facts f;
    auto env = envelope(from, rcpts);
    auto msg = parse(raw);
    detect::history_facts(env, msg, org, ctx, f);
    detect::thread_facts(env, msg, org, ctx, f);
    return f;
  }
  StringList named(const std::string& name) {
    auto found = st->addresses_named(name, 10);
    REQUIRE(found.ok());
    StringList out;
    for (const auto& [addr, n] : *found) out.push_back(addr);
    return out;
  }
};

StringList list(const detect::Facts& f, const char* name) { return std::get<StringList>(*f.get(name)); }
std::int64_t num(const detect::Facts& f, const char* name) { return std::get<std::int64_t>(*f.get(name)); }

// Taro wrote to the customer; the customer answered and added a colleague in Cc (mail that came in).
const char* kOriginal =
    "From: Taro <taro@example.co.jp>\r\nTo: customer@client.co.jp\r\nSubject: 見積\r\n"
    "Message-ID: <out1@example.co.jp>\r\n\r\nb\r\n";
const char* kCustomerReply =
    "From: =?UTF-8?B?6aGn5a6i?= <customer@client.co.jp>\r\nTo: Taro <taro@example.co.jp>\r\n"
    "Cc: =?UTF-8?B?5ZCM5YOa?= <colleague@client.co.jp>\r\nReply-To: customer@freemail.example\r\n"
    "Subject: Re: 見積\r\nMessage-ID: <in1@client.co.jp>\r\nIn-Reply-To: <out1@example.co.jp>\r\n\r\nb\r\n";
const char* kReplyAll =
    "From: Taro <taro@example.co.jp>\r\nTo: customer@client.co.jp\r\nCc: colleague@client.co.jp\r\n"
    "Subject: Re: 見積\r\nIn-Reply-To: <in1@client.co.jp>\r\n"
    "References: <out1@example.co.jp> <in1@client.co.jp>\r\n\r\nb\r\n";

}  // namespace

TEST_CASE("a customer's reply that added a colleague makes the reply-all to both neither new nor first-time") {
  Lab lab;
  lab.send("taro@example.co.jp", {"customer@client.co.jp"}, kOriginal);
  StringList rcpts = {"customer@client.co.jp", "colleague@client.co.jp"};
  auto before = lab.check("taro@example.co.jp", rcpts, kReplyAll);  // an outgoing-only gateway's view
  CHECK(num(before, "thread.new_external_count") == 1);
  CHECK(list(before, "recipients.first_time") == StringList{"colleague@client.co.jp"});

  auto r = lab.receive("customer@client.co.jp", {"taro@example.co.jp"}, kCustomerReply);
  CHECK(r.skipped == "");
  CHECK(r.correspondents == 2);  // customer and colleague; never the Reply-To
  CHECK(r.recipients == 1);
  CHECK(r.thread);
  CHECK(r.relayed == 0);

  auto after = lab.check("taro@example.co.jp", rcpts, kReplyAll);
  CHECK(num(after, "thread.new_external_count") == 0);
  CHECK(list(after, "recipients.first_time").empty());
  CHECK(list(after, "recipients.first_time_domains").empty());
  CHECK(lab.named("同僚") == StringList{"colleague@client.co.jp"});
  CHECK(lab.named("Taro").empty());  // internal addresses learn nothing from inbound mail, names neither
  // Who else received it learned nothing: the colleague is known to Taro, not to Hanako.
  auto hanako = lab.check("hanako@example.co.jp", {"colleague@client.co.jp"},
                          "From: hanako@example.co.jp\r\nTo: colleague@client.co.jp\r\nSubject: hi\r\n\r\nb\r\n");
  CHECK(list(hanako, "recipients.first_time") == StringList{"colleague@client.co.jp"});
  // A reply sent to the Reply-To address instead is a new outsider in the thread and first-time.
  auto diverted = lab.check("taro@example.co.jp", {"customer@freemail.example"},
                            "From: taro@example.co.jp\r\nTo: customer@freemail.example\r\nSubject: Re: 見積\r\n"
                            "In-Reply-To: <in1@client.co.jp>\r\n\r\nb\r\n");
  CHECK(list(diverted, "thread.new_external") == StringList{"customer@freemail.example"});
  CHECK(list(diverted, "recipients.first_time") == StringList{"customer@freemail.example"});
}

TEST_CASE("inbound mail that is relayed, forged as internal or a bounce teaches nothing") {
  struct Row {
    const char* what;
    const char* sender;
    StringList rcpts;
    const char* from;
    const char* skipped;
    std::size_t relayed;
  };
  const Row rows[] = {
      {"external to external (relayed)", "a@outside.example", {"b@elsewhere.example"}, "A <a@outside.example>",
       "no-internal-recipient", 1},
      {"From claims an internal address", "a@outside.example", {"taro@example.co.jp"},
       "=?UTF-8?B?5YG95ZCN?= <boss@example.co.jp>", "internal-sender", 0},
      {"envelope sender claims an internal address", "boss@example.co.jp", {"taro@example.co.jp"},
       "A <a@outside.example>", "internal-sender", 0},
      {"null sender (bounce, auto-reply)", "", {"taro@example.co.jp"}, "A <a@outside.example>", "null-sender", 0},
  };
  for (const auto& row : rows) {
    INFO(std::string(row.what));
    Lab lab;
    lab.send("boss@example.co.jp", {"hanako@example.co.jp"},
             "From: boss@example.co.jp\r\nTo: =?UTF-8?B?6Iqx5a2Q?= <hanako@example.co.jp>\r\nSubject: x\r\n\r\nb\r\n");
    std::string raw = std::string("From: ") + row.from + "\r\nTo: b@elsewhere.example, taro@example.co.jp, " +
                      "=?UTF-8?B?5YG95ZCN?= <hanako@example.co.jp>\r\nCc: c@third.example\r\n" +
                      "Subject: hello\r\nMessage-ID: <in2@outside.example>\r\n\r\nb\r\n";
    auto r = lab.receive(row.sender, row.rcpts, raw);
    CHECK(r.skipped == row.skipped);
    CHECK(r.relayed == row.relayed);
    CHECK(r.correspondents == 0);
    CHECK_FALSE(r.thread);
    CHECK(lab.st->threads({"<in2@outside.example>"})->empty());
    CHECK(*lab.st->received_from_domain("third.example") == 0);
    CHECK(*lab.st->received_from_domain("outside.example") == 0);
    CHECK(*lab.st->received_from(row.rcpts.front(), "a@outside.example") == 0);
    CHECK(lab.named("偽名").empty());  // the forger's name for internal addresses is nowhere
    CHECK(lab.named("花子") == StringList{"hanako@example.co.jp"});
  }
}

TEST_CASE("a mail to internal and external recipients teaches only the internal ones") {
  Lab lab;
  auto r = lab.receive("a@outside.example", {"taro@example.co.jp", "b@elsewhere.example"},
                       "From: a@outside.example\r\nTo: taro@example.co.jp\r\nSubject: x\r\n"
                       "Message-ID: <in3@outside.example>\r\n\r\nb\r\n");
  CHECK(r.skipped == "");
  CHECK(r.relayed == 1);
  CHECK(r.recipients == 1);
  CHECK(*lab.st->received_from("taro@example.co.jp", "a@outside.example") == 1);
  CHECK(*lab.st->received_from("b@elsewhere.example", "a@outside.example") == 0);
  auto threads = *lab.st->threads({"<in3@outside.example>"});
  REQUIRE(threads.size() == 1);
  CHECK(threads[0].from == "a@outside.example");
  CHECK(threads[0].recipients == StringList{"taro@example.co.jp"});
}

TEST_CASE("inbound display names fill unknown names and never replace a name the organisation wrote") {
  Lab lab;
  lab.send("taro@example.co.jp", {"sato@client.co.jp"},
           "From: taro@example.co.jp\r\nTo: =?UTF-8?B?5L2Q6Jek5qeY?= <sato@client.co.jp>\r\nSubject: x\r\n\r\nb\r\n");
  lab.receive("sato@client.co.jp", {"taro@example.co.jp"},
              "From: Sato Impostor <sato@client.co.jp>\r\nTo: taro@example.co.jp\r\n"
              "Cc: =?UTF-8?B?5paw5Lq6?= <new@client.co.jp>\r\nSubject: x\r\n\r\nb\r\n");
  CHECK(lab.named("佐藤様") == StringList{"sato@client.co.jp"});
  CHECK(lab.named("Sato Impostor").empty());
  CHECK(lab.named("新人") == StringList{"new@client.co.jp"});
  // Learned correspondents count for first-time, but known domains (look-alike checks) stay history only.
  CHECK(*lab.st->received_from("taro@example.co.jp", "new@client.co.jp") == 1);
  lab.receive("x@examp1e-client.example", {"taro@example.co.jp"},
              "From: x@examp1e-client.example\r\nTo: taro@example.co.jp\r\nSubject: x\r\n\r\nb\r\n");
  CHECK(*lab.st->known_org_domains(10) == StringList{"client.co.jp"});
}

TEST_CASE("milter.learn_daemons takes Postfix daemon names and refuses host names") {
  std::string dir = "/tmp/preflight-learn-config-test-" + std::to_string(getpid());
  std::system(("mkdir -p " + dir).c_str());
  std::ofstream(dir + "/good.yaml") << "milter: {learn_daemons: [inbound, mx_2, inbound]}\npolicies: [p.yaml]\n";
  std::ofstream(dir + "/bad.yaml") << "milter:\n  learn_daemons: [mail.example.co.jp, \"\"]\npolicies: [p.yaml]\n";
  std::ofstream(dir + "/plain.yaml") << "policies: [p.yaml]\n";
  std::ofstream(dir + "/scalar.yaml") << "milter:\n  learn_daemons: inbound\npolicies: [p.yaml]\n";
  auto good = daemon::load_config(dir + "/good.yaml");
  CHECK(good.errors.empty());
  CHECK(good.config.milter.learn_daemons == StringList{"inbound", "mx_2"});
  CHECK(daemon::load_config(dir + "/plain.yaml").config.milter.learn_daemons.empty());  // off by default
  auto bad = daemon::load_config(dir + "/bad.yaml");
  REQUIRE(bad.errors.size() == 2);
  CHECK(bad.errors[0].str().find("bad.yaml:2:19: a daemon name is 1 to 64 letters") != std::string::npos);
  CHECK(bad.errors[1].message.find("never a host name") != std::string::npos);
  CHECK(bad.config.milter.learn_daemons.empty());
  auto scalar = daemon::load_config(dir + "/scalar.yaml");
  REQUIRE(scalar.errors.size() == 1);
  CHECK(scalar.errors[0].message == "learn_daemons is a list of daemon names, e.g. [inbound]");
  std::system(("rm -rf " + dir).c_str());
}
