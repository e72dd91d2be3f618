// Rule evaluation: conditions, scopes, exceptions, modes and the strongest action.
#include <doctest/doctest.h>

#include "preflight/policy/compile.hpp"
#include "preflight/policy/evaluate.hpp"

using namespace preflight;
using policy::Action;

namespace {
std::shared_ptr<const policy::Policy> compile(const std::string& yaml) {
  auto r = policy::compile_text(yaml, "t.yaml");
  for (const auto& e : r.errors) INFO(e.str());
  REQUIRE(r.policy);
  return r.policy;
}

detect::Facts facts(std::int64_t visible, std::int64_t external, const std::string& sender = "a@example.co.jp",
                    detect::StringList groups = {}) {
  detect::Facts f;
  f.set("recipients.visible_external", visible);
  f.set("recipients.external", external);
  f.set("sender.address", sender);
  f.set("sender.groups", std::move(groups));
  f.set("sender.internal", true);
  f.set("recipients.external_addresses", detect::StringList{"x@partner.com", "y@other.jp"});
  f.set("message.subject", std::string("Re: 見積書"));
  return f;
}

const char* kPolicy = R"(organisation:
  internal_domains: [example.co.jp]
  groups: {sales: ["*@sales.example.co.jp"]}
rules:
  - id: bcc
    when: "recipients.visible_external >= 5"
    action: bcc
  - id: tag
    when: "recipients.external >= 1"
    action: {type: tag, tag: external, subject_prefix: "[EXT]"}
  - id: reject-huge
    when: "recipients.external > 100"
    except: {groups: [sales]}
    action: {type: reject, message: "too many"}
  - id: watch
    when: {all: ["recipients.external_addresses matches \"*@partner.com\"", "message.subject contains \"見積\""]}
    mode: monitor
    action: reject
)";
}  // namespace

TEST_CASE("no matching rule accepts with no reasons") {
  auto f = facts(0, 0);
  f.set("message.subject", std::string("hello"));
  auto v = policy::evaluate(*compile(kPolicy), f);
  CHECK(v.action == Action::Accept);
  CHECK(v.reasons.empty());
}

TEST_CASE("the strongest enforced action wins and every match is a reason") {
  auto v = policy::evaluate(*compile(kPolicy), facts(6, 6));
  CHECK(v.action == Action::Bcc);
  CHECK(v.rule_ids(policy::Mode::Enforce) == std::vector<std::string>{"bcc", "tag"});
  CHECK(v.tags == std::vector<std::string>{"external"});
  CHECK(v.subject_prefix == "[EXT]");
  REQUIRE(v.reasons[0].facts.size() == 1);
  CHECK(v.reasons[0].facts[0] == std::pair<std::string, std::string>{"recipients.visible_external", "6"});
}

TEST_CASE("a monitor rule is a reason but never the action") {
  auto v = policy::evaluate(*compile(kPolicy), facts(1, 2));
  CHECK(v.action == Action::Tag);
  CHECK(v.rule_ids(policy::Mode::Monitor) == std::vector<std::string>{"watch"});
}

TEST_CASE("reject wins, and an exception for a group skips the rule") {
  auto p = compile(kPolicy);
  auto v = policy::evaluate(*p, facts(0, 150));
  CHECK(v.action == Action::Reject);
  CHECK(v.reject_text == "too many");
  auto sales = policy::evaluate(*p, facts(0, 150, "t@sales.example.co.jp", {"sales"}));
  CHECK(sales.action == Action::Tag);
}

TEST_CASE("rules scoped to senders apply only to them") {
  auto p = compile("rules:\n  - {id: s, senders: [\"boss@*\"], when: \"recipients.external >= 1\", action: bcc}\n");
  CHECK(policy::evaluate(*p, facts(0, 1, "boss@example.co.jp")).action == Action::Bcc);
  CHECK(policy::evaluate(*p, facts(0, 1, "clerk@example.co.jp")).action == Action::Accept);
}

TEST_CASE("not, any and missing facts") {
  auto p = compile("rules:\n  - {id: n, when: {not: \"sender.internal\"}, action: tag}\n"
                   "  - {id: m, when: {any: [\"recipients.to > 1\", \"recipients.external == 2\"]}, action: tag}\n");
  auto v = policy::evaluate(*p, facts(0, 2));
  CHECK(v.rule_ids(policy::Mode::Enforce) == std::vector<std::string>{"m"});
}

TEST_CASE("approve outranks hold and bcc; hold specs merge; bcc is remembered for the release") {
  auto p = compile(R"(organisation:
  internal_domains: [example.co.jp]
rules:
  - {id: b, when: "recipients.visible_external >= 5", action: bcc}
  - {id: h, when: "recipients.external >= 1", action: {type: hold, delay: 5m}}
  - {id: a1, when: "recipients.external >= 1", action: {type: approve, approvers: [supervisor], expire: 2h}}
  - {id: a2, when: "recipients.external >= 2", action: {type: approve, approvers: [self], expire: 1h,
                                                         on_expiry: release}}
)");
  auto v = policy::evaluate(*p, facts(6, 6));
  CHECK(v.action == Action::Approve);
  CHECK(v.bcc);
  CHECK(v.hold.delay_seconds == 300);
  CHECK(v.hold.approvers == std::vector<std::string>{"supervisor", "self"});
  CHECK(v.hold.expire_seconds == 3600);
  CHECK_FALSE(v.hold.release_on_expiry);  // one rule says return: return wins
  auto one = policy::evaluate(*p, facts(0, 1));
  CHECK(one.action == Action::Approve);
  CHECK_FALSE(one.bcc);
}

TEST_CASE("allow_bcc: any approval rule that matched offers the choice, with the widest scope") {
  auto p = compile(R"(rules:
  - id: a
    when: "recipients.visible_external >= 5"
    action: {type: approve, approvers: [self], allow_bcc: external}
  - id: b
    when: "recipients.external >= 1"
    action: {type: approve, approvers: [self]}
  - id: c
    when: "recipients.visible_external >= 20"
    action: {type: approve, approvers: [self], allow_bcc: all}
)");
  auto only_b = policy::evaluate(*p, facts(1, 1));
  CHECK_FALSE(only_b.hold.allow_bcc);
  auto a_and_b = policy::evaluate(*p, facts(6, 6));
  CHECK(a_and_b.hold.allow_bcc);
  CHECK(a_and_b.hold.allow_bcc_scope == policy::BccScope::External);
  CHECK_FALSE(a_and_b.bcc);  // offered, not forced
  auto all = policy::evaluate(*p, facts(25, 25));
  CHECK(all.hold.allow_bcc_scope == policy::BccScope::All);
}

TEST_CASE("a hold rule's defaults never override an approve rule's expiry, release, escalation or approvers") {
  auto p = compile(R"(rules:
  - {id: h, when: "recipients.external >= 1", action: {type: hold, delay: 5m}}
  - {id: a, when: "recipients.external >= 1", action: {type: approve, approvers: [self], expire: 2d,
                                                       escalate: 1d, on_expiry: release}}
  - {id: h2, when: "recipients.external >= 2", action: {type: hold, delay: 10m, bcc: external}}
)");
  auto v = policy::evaluate(*p, facts(1, 1));
  CHECK(v.action == Action::Approve);
  CHECK(v.hold.delay_seconds == 300);
  CHECK(v.hold.approvers == std::vector<std::string>{"self"});
  CHECK(v.hold.expire_seconds == 2 * 86400);
  CHECK(v.hold.escalate_seconds == 86400);
  CHECK(v.hold.release_on_expiry);
  CHECK_FALSE(v.bcc);
  // A hold rule after the approve rule changes only the delay (and may ask for Bcc).
  auto both = policy::evaluate(*p, facts(2, 2));
  CHECK(both.hold.delay_seconds == 600);
  CHECK(both.hold.expire_seconds == 2 * 86400);
  CHECK(both.hold.release_on_expiry);
  CHECK(both.hold.bcc);
  CHECK(both.bcc);
}

TEST_CASE("a hold rule between two approve rules: delay from the hold rule, expiry and release from the approve rules") {
  auto p = compile(R"(rules:
  - {id: a1, when: "recipients.external >= 1", action: {type: approve, approvers: [supervisor], expire: 3d,
                                                        on_expiry: release}}
  - {id: h, when: "recipients.external >= 1", action: {type: hold, delay: 1h}}
  - {id: a2, when: "recipients.external >= 1", action: {type: approve, approvers: [self], expire: 2d,
                                                        on_expiry: release, allow_bcc: all}}
)");
  auto v = policy::evaluate(*p, facts(1, 1));
  CHECK(v.hold.delay_seconds == 3600);
  CHECK(v.hold.approvers == std::vector<std::string>{"supervisor", "self"});
  CHECK(v.hold.expire_seconds == 2 * 86400);
  CHECK(v.hold.release_on_expiry);  // every approve rule says release
  CHECK(v.hold.allow_bcc);
  CHECK(v.hold.allow_bcc_scope == policy::BccScope::All);
}

TEST_CASE("group names are case-insensitive in scopes and exceptions") {
  auto p = compile(R"(organisation:
  groups: {Sales: ["*@sales.example.co.jp"]}
rules:
  - {id: s, groups: [SALES], when: "recipients.external >= 1", action: bcc}
  - {id: r, except: {groups: [sales]}, when: "recipients.external >= 1", action: tag}
)");
  REQUIRE(p->organisation.groups.count("sales") == 1);
  auto v = policy::evaluate(*p, facts(0, 1, "t@sales.example.co.jp", {"sales"}));
  CHECK(v.rule_ids(policy::Mode::Enforce) == std::vector<std::string>{"s"});
  auto other = policy::evaluate(*p, facts(0, 1, "t@example.co.jp"));
  CHECK(other.rule_ids(policy::Mode::Enforce) == std::vector<std::string>{"r"});
}
