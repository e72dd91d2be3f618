// One budget per message (util::Budget): its clock and bytes, inspection that stops with it, the engine's
// answer when it runs out (a failure by default, the fact message.budget_exhausted when asked), the queue
// refusing to store a hold past the deadline, and the milter's configuration keys.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "inspect_support.hpp"
#include "preflight/daemon/config.hpp"
#include "preflight/engine/engine.hpp"
#include "preflight/inspect/inspect.hpp"
#include "preflight/mail/parse.hpp"
#include "preflight/policy/compile.hpp"
#include "preflight/queue/queue.hpp"

using namespace preflight;
using Clock = util::Budget::Clock;

namespace {

constexpr const char* kPolicy = R"(organisation:
  internal_domains: [example.co.jp]
rules:
  - id: attachment-out
    when: "attachments.unencrypted >= 1"
    action: {type: tag, tag: attachment}
  - id: incomplete-check
    when: {any: ["message.budget_exhausted", "context.degraded"]}
    action: {type: hold, delay: 1h}
)";

std::shared_ptr<const policy::Policy> compile(const char* yaml) {
  auto r = policy::compile_text(yaml, "p.yaml");
  for (const auto& e : r.errors) INFO(e.str());
  REQUIRE(r.policy);
  return r.policy;
}

// A zip holding one csv of `rows` lines: inflating it produces about 40 bytes a row.
std::string zipped_list(int rows) {
  std::string csv;
  for (int i = 0; i < rows; ++i) csv += "row " + std::to_string(i) + ",山田 太郎,yamada@example.com\n";
  return inspect_test::build_zip({{"list.csv", csv}});
}

std::string mail_with_zip(const std::string& zip) {
  std::string b64;
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (std::size_t i = 0; i < zip.size(); i += 3) {
    unsigned n = static_cast<unsigned char>(zip[i]) << 16;
    if (i + 1 < zip.size()) n |= static_cast<unsigned char>(zip[i + 1]) << 8;
    if (i + 2 < zip.size()) n |= static_cast<unsigned char>(zip[i + 2]);
    b64 += t[(n >> 18) & 63];
    b64 += t[(n >> 12) & 63];
    b64 += i + 1 < zip.size() ? t[(n >> 6) & 63] : '=';
    b64 += i + 2 < zip.size() ? t[n & 63] : '=';
    if (b64.size() % 77 == 76) b64 += "\r\n";
  }
  return "From: taro@example.co.jp\r\nTo: a@partner.example.com\r\nSubject: list\r\nMIME-Version: 1.0\r\n"
         "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
         "--b\r\nContent-Type: application/zip; name=list.zip\r\nContent-Transfer-Encoding: base64\r\n"
         "Content-Disposition: attachment; filename=list.zip\r\n\r\n" +
         b64 + "\r\n--b--\r\n";
}

mail::Envelope envelope() {
  mail::Envelope env;
  env.sender = mail::parse_addr_spec("taro@example.co.jp");
  env.recipients.push_back(mail::parse_addr_spec("a@partner.example.com"));
  return env;
}

bool fact(const engine::Evaluation& ev, const char* name) {
  const auto* v = ev.facts.get(name);
  REQUIRE(v);
  return std::get<bool>(*v);
}

}  // namespace

TEST_CASE("a message's budget gives work three quarters of the deadline and counts bytes") {
  auto start = Clock::now();
  auto b = util::Budget::for_message(60, 1000, start);
  CHECK(b.work_deadline() - start == std::chrono::seconds(45));
  CHECK(b.deadline() - start == std::chrono::seconds(60));
  CHECK(b.exhausted().empty());
  CHECK_FALSE(b.past_deadline());
  CHECK(b.spend(1000));
  CHECK(b.bytes_left() == 0);
  CHECK(b.exhausted().empty());  // exactly the budget is still within it
  CHECK_FALSE(b.spend(1));
  CHECK(b.exhausted() == "bytes");
  auto late = util::Budget::for_message(0.001, 1000, start - std::chrono::seconds(1));
  CHECK(late.exhausted() == "time");
  CHECK(late.past_deadline());
  CHECK(late.work_remaining() == std::chrono::milliseconds::zero());
  util::Budget unlimited;
  CHECK(unlimited.exhausted().empty());
  CHECK_FALSE(unlimited.past_deadline());
}

TEST_CASE("an attachment gets only what is left of the message's budget") {
  const std::string zip = zipped_list(3000);  // about 120 KB of text once inflated
  struct Case {
    const char* what;
    double seconds;
    std::uint64_t bytes;
    bool complete;
  };
  for (const Case& c : {Case{"ample budget", 60, 1 << 30, true}, Case{"no time left", 0, 1 << 30, false},
                        Case{"fewer bytes left than the entry inflates to", 60, 10000, false}}) {
    CAPTURE(c.what);
    auto budget = util::Budget::for_message(c.seconds, c.bytes);
    inspect::Limits limits;
    limits.message = &budget;
    auto r = inspect::inspect("list.zip", zip, limits);
    CHECK(r.kind == "zip");
    CHECK(r.incomplete.empty() == c.complete);
    CHECK(budget.exhausted().empty() == c.complete);
  }
  // Without a message budget only inspect's own limits apply, as before.
  CHECK(inspect::inspect("list.zip", zip).incomplete.empty());
}

TEST_CASE("a message that runs out of its budget is a failure unless the policy is asked to decide") {
  auto policy = compile(kPolicy);
  auto msg = mail::parse_message(mail_with_zip(zipped_list(3000)));
  REQUIRE(msg.ok());
  const auto env = envelope();
  detect::NoContext none;

  auto ample = util::Budget::for_message(60, 1 << 30);
  auto ok = engine::evaluate(*policy, env, *msg, none, {&ample});
  CHECK(ok.failure.empty());
  CHECK(ok.exhausted.empty());
  CHECK_FALSE(fact(ok, "message.budget_exhausted"));
  CHECK(ok.verdict.action == policy::Action::Tag);

  struct Case {
    const char* what;
    double seconds;
    std::uint64_t bytes;
    const char* exhausted;
  };
  for (const Case& c : {Case{"time", 0, 1 << 30, "time"}, Case{"bytes", 60, 10000, "bytes"}}) {
    CAPTURE(c.what);
    auto budget = util::Budget::for_message(c.seconds, c.bytes);
    auto failed = engine::evaluate(*policy, env, *msg, none, {&budget});
    CHECK(failed.exhausted == c.exhausted);
    CHECK(failed.failure == std::string("budget exhausted: ") + c.exhausted);  // the milter answers on_error
    CHECK(fact(failed, "message.budget_exhausted"));

    auto again = util::Budget::for_message(c.seconds, c.bytes);
    auto held = engine::evaluate(*policy, env, *msg, none, {&again, /*evaluate_exhausted=*/true});
    CHECK(held.failure.empty());
    CHECK(fact(held, "message.budget_exhausted"));
    CHECK(held.verdict.action == policy::Action::Hold);  // held as incomplete by the policy's rule
  }
}

TEST_CASE("a hold is not stored once the message's deadline has passed") {
  std::string dir = "/tmp/preflight-budget-test-" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto policy = compile(kPolicy);
  auto st = *store::open_sqlite(dir + "/preflight.db");
  queue::QueueSettings qs{dir + "/spool", {}, "preflight@localhost", 120, [&] { return policy; }};
  queue::Queue q(st, qs, nullptr, [] { return std::int64_t{1'800'000'000}; });
  REQUIRE(q.prepare_and_reconcile().ok());
  const std::string text = mail_with_zip(zipped_list(10));
  auto msg = mail::parse_message(text);
  REQUIRE(msg.ok());
  const auto env = envelope();
  auto spent = util::Budget::for_message(0, 1 << 30);
  auto ev = engine::evaluate(*policy, env, *msg, detect::NoContext{}, {&spent, true});
  REQUIRE(ev.verdict.action == policy::Action::Hold);  // held as incomplete
  auto plan = action::plan(ev.verdict, *msg, policy->organisation);
  util::SpillBuffer raw(1 << 20, dir);
  REQUIRE(raw.append(text).empty());

  auto late = util::Budget::for_message(1, 1 << 30, Clock::now() - std::chrono::seconds(2));
  auto refused = q.hold({env, *msg, raw, ev.verdict, ev.facts, plan, *policy, &late});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().find("deadline passed") != std::string::npos);
  CHECK(q.spool().ids().empty());
  CHECK(st->list({store::State::Held, "", 100, 0})->empty());

  auto in_time = util::Budget::for_message(60, 1 << 30);
  auto stored = q.hold({env, *msg, raw, ev.verdict, ev.facts, plan, *policy, &in_time});
  REQUIRE(stored.ok());
  CHECK(q.spool().ids() == std::vector<std::string>{*stored});
  CHECK(st->list({store::State::Held, "", 100, 0})->size() == 1);
  std::filesystem::remove_all(dir);
}

TEST_CASE("milter.deadline, budget_bytes and the two on_ keys are read and checked") {
  std::string dir = "/tmp/preflight-budget-config-" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/good.yaml") << "milter:\n  deadline: 0.5\n  budget_bytes: 1000\n"
                                       "  on_budget_exhausted: evaluate\n  on_context_degraded: error\n"
                                       "policies: [p.yaml]\n";
  std::ofstream(dir + "/plain.yaml") << "policies: [p.yaml]\n";
  std::ofstream(dir + "/bad.yaml") << "milter:\n  deadline: 0\n  on_budget_exhausted: accept\n"
                                      "  on_context_degraded: tempfail\npolicies: [p.yaml]\n";
  auto good = daemon::load_config(dir + "/good.yaml");
  CHECK(good.errors.empty());
  CHECK(good.config.milter.deadline_seconds == doctest::Approx(0.5));
  CHECK(good.config.milter.budget_bytes == 1000);
  CHECK(good.config.milter.evaluate_exhausted);
  CHECK_FALSE(good.config.milter.evaluate_degraded);
  auto plain = daemon::load_config(dir + "/plain.yaml").config.milter;
  CHECK(plain.deadline_seconds == doctest::Approx(60));  // below Postfix's milter_content_timeout (300 s)
  CHECK_FALSE(plain.evaluate_exhausted);
  CHECK_FALSE(plain.evaluate_degraded);
  auto bad = daemon::load_config(dir + "/bad.yaml");
  REQUIRE(bad.errors.size() == 3);
  CHECK(bad.errors[0].str().find("bad.yaml:2:13: deadline is more than 0") != std::string::npos);
  CHECK(bad.errors[1].message == "on_budget_exhausted is 'error' (recommended) or 'evaluate'");
  CHECK(bad.errors[2].message == "on_context_degraded is 'error' (recommended) or 'evaluate'");
  std::filesystem::remove_all(dir);
}
