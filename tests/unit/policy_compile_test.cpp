// Policy compilation: valid policies compile; every mistake is reported with file:line:column.
#include <doctest/doctest.h>

#include "preflight/policy/compile.hpp"

using namespace preflight::policy;

namespace {
std::string first_error(const std::string& yaml) {
  auto r = compile_text(yaml, "p.yaml");
  REQUIRE_FALSE(r.policy);
  REQUIRE_FALSE(r.errors.empty());
  return r.errors.front().str();
}
}  // namespace

TEST_CASE("a complete policy compiles into rules") {
  auto r = compile_text(R"(organisation:
  internal_domains: [example.co.jp]
  groups: {sales: ["*@sales.example.co.jp"]}
rules:
  - id: a
    when: "recipients.visible_external >= 5"
    action: bcc
  - id: b
    when: {any: ["sender.internal == false", {not: "recipients.external == 0"}]}
    groups: sales
    except: {senders: ["boss@example.co.jp"]}
    mode: monitor
    action: {type: reject, message: "no"}
)", "p.yaml");
  for (const auto& e : r.errors) INFO(e.str());
  REQUIRE(r.policy);
  REQUIRE(r.policy->rules.size() == 2);
  CHECK(r.policy->rules[0].action.type == Action::Bcc);
  CHECK(r.policy->rules[1].mode == Mode::Monitor);
  CHECK(r.policy->rules[1].action.reject_text == "no");
  CHECK(r.policy->rules[1].applies_to.groups == std::vector<std::string>{"sales"});
  CHECK(r.policy->organisation.internal_domains == std::vector<std::string>{"example.co.jp"});
}

TEST_CASE("an unknown fact is reported at its line and column") {
  CHECK(first_error("rules:\n  - id: x\n    when: recipients.extrnal > 1\n    action: bcc\n") ==
        "p.yaml:3:11: unknown fact 'recipients.extrnal'");
}

TEST_CASE("a bad operator inside a quoted condition points into the string") {
  CHECK(first_error("rules:\n  - id: x\n    when: \"recipients.external => 1\"\n    action: bcc\n") ==
        "p.yaml:3:32: expected an operator (>= <= > < == != contains matches)");
}

TEST_CASE("a type mismatch is an error") {
  CHECK(first_error("rules:\n  - id: x\n    when: recipients.external contains \"a\"\n    action: tag\n")
            .find("'contains'/'matches' need a text or list fact") != std::string::npos);
  CHECK(first_error("rules:\n  - id: x\n    when: recipients.external\n    action: tag\n")
            .find("is a number: add an operator") != std::string::npos);
}

TEST_CASE("unknown keys, actions and modes are reported") {
  CHECK(first_error("rules:\n  - id: x\n    acton: bcc\n").rfind("p.yaml:3:5: unknown key 'acton' in rule", 0) == 0);
  CHECK(first_error("rules:\n  - id: x\n    action: hide\n") == "p.yaml:3:13: unknown action 'hide' (accept, tag, bcc, hold, approve, reject)");
  CHECK(first_error("rules:\n  - id: x\n    mode: dry\n    action: tag\n") == "p.yaml:3:11: mode is 'enforce' or 'monitor'");
}

TEST_CASE("duplicate rule ids and unknown groups are reported") {
  CHECK(first_error("rules:\n  - {id: x, action: tag}\n  - {id: x, action: tag}\n").find("duplicate rule id 'x'") !=
        std::string::npos);
  CHECK(first_error("rules:\n  - {id: x, groups: [nobody], action: tag}\n").find("unknown group 'nobody'") !=
        std::string::npos);
}

TEST_CASE("a public suffix is refused as an internal domain") {
  CHECK(first_error("organisation:\n  internal_domains: [co.jp]\n") ==
        "p.yaml:2:22: 'co.jp' is a public suffix, not an organisation's domain");
}

TEST_CASE("YAML syntax errors carry their position") {
  std::string e = first_error("rules:\n  - id: x\n    when: [unclosed\n");
  CHECK(e.rfind("p.yaml:", 0) == 0);
  CHECK(e.find("YAML syntax") != std::string::npos);
}

TEST_CASE("every error of a file is reported, not only the first") {
  auto r = compile_text("rules:\n  - {id: a, action: nope}\n  - {id: b, when: bad.fact, action: tag}\n", "p.yaml");
  CHECK(r.errors.size() == 2);
}

TEST_CASE("a missing policy file is an error naming the file") {
  auto r = compile_files({"/nonexistent/policy.yaml"});
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].str() == "/nonexistent/policy.yaml:0:0: cannot read policy file");
}

TEST_CASE("hold and approve actions compile with durations, approvers and expiry") {
  auto r = compile_text(R"(organisation:
  internal_domains: [example.co.jp]
  roles: {security: [Sec@Example.co.jp]}
rules:
  - id: h
    action: {type: hold, delay: 10m, bcc: external}
  - id: a
    action: {type: approve, approvers: [supervisor, "role:security", self, x@example.co.jp], expire: 2d,
             escalate: 4h, on_expiry: release}
)", "p.yaml");
  for (const auto& e : r.errors) INFO(e.str());
  REQUIRE(r.policy);
  const auto& h = r.policy->rules[0].action;
  CHECK(h.type == Action::Hold);
  CHECK(h.hold.delay_seconds == 600);
  CHECK(h.hold.bcc);
  const auto& a = r.policy->rules[1].action;
  CHECK(a.type == Action::Approve);
  CHECK(a.hold.approvers == std::vector<std::string>{"supervisor", "role:security", "self", "x@example.co.jp"});
  CHECK(a.hold.expire_seconds == 2 * 86400);
  CHECK(a.hold.escalate_seconds == 4 * 3600);
  CHECK(a.hold.release_on_expiry);
  CHECK(r.policy->organisation.roles.at("security") == std::vector<std::string>{"sec@example.co.jp"});
}

TEST_CASE("hold and approve mistakes are reported") {
  CHECK(first_error("rules:\n  - {id: h, action: hold}\n") ==
        "p.yaml:2:21: hold needs a delay, e.g. {type: hold, delay: 10m}");
  CHECK(first_error("rules:\n  - {id: h, action: {type: hold, delay: soon}}\n") ==
        "p.yaml:2:41: expected a duration such as 30s, 5m, 2h or 3d");
  CHECK(first_error("rules:\n  - {id: a, action: {type: approve, approvers: [role:nobody]}}\n") ==
        "p.yaml:2:49: unknown role 'nobody' (define it in organisation.roles)");
  CHECK(first_error("rules:\n  - {id: a, action: {type: approve, approvers: [boss]}}\n") ==
        "p.yaml:2:49: an approver is an address, role:NAME, supervisor or self");
  CHECK(first_error("rules:\n  - {id: a, action: {type: approve, approvers: [self], on_expiry: keep}}\n")
            .find("on_expiry is 'return' (to the sender) or 'release'") != std::string::npos);
  CHECK(first_error("organisation:\n  directory: /nonexistent/dir.csv\n").find("cannot read directory file") !=
        std::string::npos);
}

TEST_CASE("allow_bcc: an approval may offer the approver Bcc; hold may not, and the value is checked") {
  auto r = compile_text(R"(rules:
  - id: a
    action: {type: approve, approvers: [self], allow_bcc: all}
)", "p.yaml");
  REQUIRE(r.policy);
  CHECK(r.policy->rules[0].action.hold.allow_bcc);
  CHECK(r.policy->rules[0].action.hold.allow_bcc_scope == BccScope::All);
  CHECK(r.policy->rules[0].action.scope == BccScope::External);  // the offer does not force a rewrite
  CHECK_FALSE(r.policy->rules[0].action.hold.bcc);
  CHECK(first_error("rules:\n  - id: a\n    action: {type: hold, delay: 5m, allow_bcc: external}\n") ==
        "p.yaml:3:48: 'allow_bcc' belongs to approve, not hold");
  CHECK(first_error("rules:\n  - id: a\n    action: {type: approve, approvers: [self], allow_bcc: yes}\n")
            .find("allow_bcc is 'external' or 'all'") != std::string::npos);
}
