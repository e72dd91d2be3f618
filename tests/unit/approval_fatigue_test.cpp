// Approval fatigue through the real pipeline on a real SQLite file: the engine reads past approvals through
// the store-backed context, the queue holds and decides, and the store records each approval with its
// decision. A repeat of an approved sender -> domain for a rule becomes a short hold the sender can cancel.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "preflight/context/store_context.hpp"
#include "preflight/engine/engine.hpp"
#include "preflight/mail/parse.hpp"
#include "preflight/policy/compile.hpp"
#include "preflight/queue/queue.hpp"

using namespace preflight;

namespace {

constexpr std::int64_t kDay = 86400;

constexpr const char* kPolicy = R"(organisation:
  internal_domains: [example.co.jp]
  approval_fatigue: {after: 3, window: 30d, delay: 5m}
rules:
  - id: partner-approval
    when: "recipients.external >= 1"
    action: {type: approve, approvers: [boss@example.co.jp]}
  - id: card-number
    when: 'message.subject contains "CARD"'
    action: {type: approve, approvers: [boss@example.co.jp], waivable: false}
)";

struct Sent {
  std::string id;
  policy::Verdict verdict;
};

struct Fixture {
  std::string dir = "/tmp/preflight-fatigue-test-" + std::to_string(getpid());
  std::shared_ptr<const policy::Policy> policy;
  std::shared_ptr<store::Store> st;
  std::unique_ptr<queue::Queue> q;
  std::int64_t now = 1'800'000'000;

  explicit Fixture(const char* policy_text = kPolicy) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    auto compiled = policy::compile_text(policy_text, "p.yaml");
    for (const auto& e : compiled.errors) INFO(e.str());
    REQUIRE(compiled.policy);
    policy = compiled.policy;
    st = *store::open_sqlite(dir + "/preflight.db");
    queue::QueueSettings qs{dir + "/spool", {}, "preflight@localhost", 120, nullptr};
    q = std::make_unique<queue::Queue>(st, qs, nullptr, [this] { return now; });
    REQUIRE(q->prepare_and_reconcile().ok());
  }
  ~Fixture() { std::filesystem::remove_all(dir); }

  // Evaluates the mail as the milter does (history from the store, at `now`) and holds it.
  Sent send(const std::vector<std::string>& rcpts, const std::string& subject = "quote") {
    mail::Envelope env;
    env.sender = mail::parse_addr_spec("taro@example.co.jp");
    std::string to;
    for (const auto& r : rcpts) {
      env.recipients.push_back(mail::parse_addr_spec(r));
      to += (to.empty() ? "" : ", ") + r;
    }
    std::string raw_text = "From: taro@example.co.jp\r\nTo: " + to + "\r\nSubject: " + subject + "\r\n\r\nhello\r\n";
    auto msg = mail::parse_message(raw_text);
    REQUIRE(msg.ok());
    context::StoreContext ctx(st, std::make_shared<context::DomainCache>(), 3600, now);
    auto ev = engine::evaluate(*policy, env, *msg, ctx);
    auto plan = action::plan(ev.verdict, *msg, policy->organisation);
    REQUIRE(plan.disposition == action::Disposition::Hold);
    util::SpillBuffer raw(1 << 20, dir);
    REQUIRE(raw.append(raw_text).empty());
    auto id = q->hold({env, *msg, raw, ev.verdict, ev.facts, plan, *policy});
    REQUIRE(id.ok());
    return {*id, ev.verdict};
  }

  void decide(const std::string& id, queue::Decision d, const std::string& actor = "boss@example.co.jp") {
    auto r = q->decide({id, d, actor, "192.0.2.1", "", false, false});
    std::string why = r.ok() ? "" : r.error();
    INFO(why);
    REQUIRE(r.ok());
  }

  // Sends and approves the same mail `times` times, an hour apart.
  void approve_times(int times, const std::vector<std::string>& rcpts, const std::string& subject = "quote") {
    for (int i = 0; i < times; ++i) {
      Sent s = send(rcpts, subject);
      REQUIRE(s.verdict.action == policy::Action::Approve);
      decide(s.id, queue::Decision::Approve);
      now += 3600;
    }
  }

  std::int64_t approvals(const std::string& domain, const std::string& rule) {
    auto n = st->approvals_since("taro@example.co.jp", domain, rule, now - 30 * kDay);
    REQUIRE(n.ok());
    return *n;
  }

  store::HeldMessage get(const std::string& id) {
    auto m = st->get(id);
    REQUIRE(m.ok());
    REQUIRE(m->has_value());
    return **m;
  }
};

const std::vector<std::string> kPartner = {"yamada@partner.co.jp"};

}  // namespace

TEST_CASE("after three approvals of a sender and domain for a rule, the fourth request is a 5-minute hold") {
  Fixture f;
  f.approve_times(2, kPartner);
  f.approve_times(1, {"suzuki@sales.partner.co.jp"});  // the organisational domain is what counts
  CHECK(f.approvals("partner.co.jp", "partner-approval") == 3);

  Sent fourth = f.send(kPartner);
  CHECK(fourth.verdict.action == policy::Action::Hold);
  CHECK(fourth.verdict.hold.delay_seconds == 300);
  CHECK(fourth.verdict.hold.approvers.empty());
  CHECK(fourth.verdict.waiver ==
        "approval waived: taro@example.co.jp->partner.co.jp approved 3 times in 30d for rule partner-approval");
  auto m = f.get(fourth.id);
  CHECK(m.kind == store::HoldKind::Delay);
  CHECK(m.due_at == f.now + 300);
  auto trail = f.st->audit_trail(fourth.id);
  REQUIRE(trail.ok());
  REQUIRE(trail->size() == 1);
  CHECK(trail->front().comment ==
        "rules=partner-approval; approval waived: taro@example.co.jp->partner.co.jp approved 3 times in 30d "
        "for rule partner-approval");
  f.decide(fourth.id, queue::Decision::Cancel, "taro@example.co.jp");  // the sender can still stop it
  CHECK(f.get(fourth.id).state == store::State::Cancelled);
  CHECK(f.approvals("partner.co.jp", "partner-approval") == 3);  // a waived hold is no approval
}

TEST_CASE("a rule with waivable: false asks for approval every time, however often it was approved") {
  Fixture f;
  f.approve_times(4, kPartner, "CARD 4111");
  CHECK(f.approvals("partner.co.jp", "card-number") == 4);
  CHECK(f.approvals("partner.co.jp", "partner-approval") == 4);  // the other rule alone would be waived
  Sent fifth = f.send(kPartner, "CARD 4111");
  CHECK(fifth.verdict.action == policy::Action::Approve);
  CHECK(fifth.verdict.waiver.empty());
  CHECK(f.get(fifth.id).kind == store::HoldKind::Approval);
  Sent plain = f.send(kPartner);  // without the card number only partner-approval asks: waived
  CHECK(plain.verdict.action == policy::Action::Hold);
}

TEST_CASE("a mail to two domains is waived only when every external domain qualifies") {
  Fixture f;
  f.approve_times(3, kPartner);
  std::vector<std::string> both = {"yamada@partner.co.jp", "lee@other.com", "hanako@example.co.jp"};
  Sent mixed = f.send(both);
  CHECK(mixed.verdict.action == policy::Action::Approve);  // other.com was never approved
  f.decide(mixed.id, queue::Decision::Approve);
  CHECK(f.approvals("other.com", "partner-approval") == 1);
  CHECK(f.approvals("partner.co.jp", "partner-approval") == 4);
  CHECK(f.approvals("example.co.jp", "partner-approval") == 0);  // internal domains are not counted
  f.approve_times(1, {"lee@other.com"});
  CHECK(f.send(both).verdict.action == policy::Action::Approve);  // 2 of 3 for other.com
  f.approve_times(1, {"lee@other.com"});
  Sent waived = f.send(both);
  CHECK(waived.verdict.action == policy::Action::Hold);
  CHECK(waived.verdict.waiver.find("->other.com approved 3 times") != std::string::npos);
  CHECK(waived.verdict.waiver.find("->partner.co.jp approved 4 times") != std::string::npos);
}

TEST_CASE("approvals older than the window do not count") {
  Fixture f;
  std::int64_t start = f.now;
  f.approve_times(3, kPartner);  // at start, start + 1h, start + 2h
  f.now = start + 30 * kDay - 1;
  CHECK(f.send(kPartner).verdict.action == policy::Action::Hold);  // all three within 30 days
  f.now = start + 30 * kDay + 1;  // the first one is now 30 days and 1 second old
  Sent late = f.send(kPartner);
  CHECK(late.verdict.action == policy::Action::Approve);
  CHECK(f.approvals("partner.co.jp", "partner-approval") == 2);
}

TEST_CASE("rejections, cancellations and expiries do not count as approvals") {
  Fixture f;
  for (auto d : {queue::Decision::Reject, queue::Decision::Reject, queue::Decision::Reject}) {
    Sent s = f.send(kPartner);
    REQUIRE(s.verdict.action == policy::Action::Approve);
    f.decide(s.id, d);
  }
  Sent cancelled = f.send(kPartner);
  f.decide(cancelled.id, queue::Decision::Cancel, "taro@example.co.jp");
  Sent expired = f.send(kPartner);
  f.now += 2 * kDay;  // past the 24h expiry: the scheduler returns it
  f.q->tick();
  REQUIRE(f.get(expired.id).state == store::State::Returned);
  CHECK(f.approvals("partner.co.jp", "partner-approval") == 0);
  f.approve_times(2, kPartner);
  CHECK(f.send(kPartner).verdict.action == policy::Action::Approve);
  f.approve_times(1, kPartner);
  CHECK(f.send(kPartner).verdict.action == policy::Action::Hold);
}

TEST_CASE("after: 0 turns approval fatigue off") {
  Fixture f(R"(organisation:
  internal_domains: [example.co.jp]
  approval_fatigue: {after: 0}
rules:
  - id: partner-approval
    when: "recipients.external >= 1"
    action: {type: approve, approvers: [boss@example.co.jp]}
)");
  f.approve_times(5, kPartner);
  CHECK(f.approvals("partner.co.jp", "partner-approval") == 5);
  CHECK(f.send(kPartner).verdict.action == policy::Action::Approve);
}

TEST_CASE("approval fatigue settings are checked when the policy is compiled") {
  struct Case {
    const char* yaml;
    const char* error;  // "" when it compiles
  };
  const Case cases[] = {
      {"organisation: {approval_fatigue: {after: 2, window: 7d, delay: 10m}}\n", ""},
      {"organisation: {approval_fatigue: {after: 2, windw: 7d}}\n", "unknown key 'windw' in approval_fatigue"},
      {"organisation: {approval_fatigue: {after: -1}}\n", "expected after"},
      {"organisation: {approval_fatigue: {delay: 0}}\n", "delay must be longer than 0"},
      {"organisation: {approval_fatigue: {window: 0s}}\n", "window must be longer than 0"},
      {"organisation: {approval_fatigue: {after: 0, window: 0s}}\n", ""},
      {"rules: [{id: r, action: {type: hold, delay: 5m, waivable: false}}]\n", "'waivable' belongs to approve"},
      {"rules: [{id: r, action: {type: approve, approvers: [self], waivable: no}}]\n", "waivable is true"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.yaml);
    auto r = policy::compile_text(c.yaml, "p.yaml");
    std::string errors;
    for (const auto& e : r.errors) errors += e.str() + "\n";
    if (std::string(c.error).empty()) CHECK(errors.empty());
    else CHECK(errors.find(c.error) != std::string::npos);
  }
  auto ok = policy::compile_text("organisation: {approval_fatigue: {after: 2, window: 7d, delay: 10m}}\n"
                                 "rules: [{id: r, action: {type: approve, approvers: [self], waivable: false}}]\n",
                                 "p.yaml");
  REQUIRE(ok.policy);
  CHECK(ok.policy->approval_fatigue.after == 2);
  CHECK(ok.policy->approval_fatigue.window_seconds == 7 * kDay);
  CHECK(ok.policy->approval_fatigue.delay_seconds == 600);
  CHECK_FALSE(ok.policy->rules.at(0).action.hold.waivable);
  auto defaults = policy::compile_text("rules: [{id: r, action: {type: approve, approvers: [self]}}]\n", "p.yaml");
  REQUIRE(defaults.policy);
  CHECK(defaults.policy->approval_fatigue.after == 3);
  CHECK(defaults.policy->approval_fatigue.window_seconds == 30 * kDay);
  CHECK(defaults.policy->approval_fatigue.delay_seconds == 300);
  CHECK(defaults.policy->rules.at(0).action.hold.waivable);
}

TEST_CASE("the shipped checklist never waives the rules where every repeat is a new risk") {
  auto compiled = policy::compile_files({std::string(PREFLIGHT_SOURCE_DIR) + "/policies/checklist.yaml"});
  for (const auto& e : compiled.errors) INFO(e.str());
  REQUIRE(compiled.policy);
  const auto& p = *compiled.policy;
  CHECK(p.approval_fatigue.after == 3);
  CHECK(p.approval_fatigue.window_seconds == 30 * kDay);
  CHECK(p.approval_fatigue.delay_seconds == 300);
  const std::set<std::string> never = {"my-number", "card-number", "macro-attachment", "incomplete-attachment",
                                       "split-mass-mailing", "many-external-recipients"};
  std::set<std::string> opted_out;
  for (const auto& r : p.rules)
    if (r.action.type == policy::Action::Approve && !r.action.hold.waivable) opted_out.insert(r.id);
  CHECK(opted_out == never);
}
