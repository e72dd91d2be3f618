// The `detach` action and organisation.detach: compiled, merged into the verdict, mistakes located.
#include <doctest/doctest.h>

#include "preflight/action/plan.hpp"
#include "preflight/policy/compile.hpp"
#include "preflight/policy/evaluate.hpp"

using namespace preflight::policy;

namespace {

const char* kPolicy = R"(
organisation:
  internal_domains: [example.co.jp]
  detach:
    expire: 2d
    max_file_size: 1000
    max_total_size: 5000
    max_downloads: 4
    downloads_per_minute: 3
    except_domains: [Partner.Example, legacy.example.jp]
rules:
  - id: attachments-out
    when: recipients.external > 0
    action: detach
  - id: review
    when: recipients.external > 5
    action: { type: hold, delay: 5m, detach: true }
)";

preflight::detect::Facts facts(std::int64_t external) {
  preflight::detect::Facts f;
  f.set("recipients.external", external);
  return f;
}

}  // namespace

TEST_CASE("policy: detach compiles with its settings and sets the verdict") {
  auto r = compile_text(kPolicy, "p.yaml");
  REQUIRE(r.policy);
  const auto& d = r.policy->detach;
  CHECK(d.expire_seconds == 2 * 86400);
  CHECK(d.max_file_bytes == 1000);
  CHECK(d.max_total_bytes == 5000);
  CHECK(d.max_downloads == 4);
  CHECK(d.downloads_per_minute == 3);
  CHECK(d.except_domains == std::vector<std::string>{"partner.example", "legacy.example.jp"});
  CHECK(r.policy->rules[0].action.type == Action::Detach);
  CHECK(r.policy->rules[1].action.hold.detach);

  auto alone = evaluate(*r.policy, facts(1));
  CHECK(alone.action == Action::Detach);
  CHECK(alone.detach);
  CHECK(std::string(action_name(alone.action)) == "detach");
  auto with_hold = evaluate(*r.policy, facts(6));
  CHECK(with_hold.action == Action::Hold);
  CHECK(with_hold.detach);
  auto none = evaluate(*r.policy, facts(0));
  CHECK_FALSE(none.detach);

  preflight::mail::Message m;
  CHECK(preflight::action::plan(alone, m, r.policy->organisation).detach);
  CHECK_FALSE(preflight::action::plan(none, m, r.policy->organisation).detach);
}

TEST_CASE("policy: detach mistakes are reported where they are") {
  auto bad = [](const std::string& yaml) {
    auto r = compile_text(yaml, "p.yaml");
    REQUIRE_FALSE(r.policy);
    REQUIRE_FALSE(r.errors.empty());
    return r.errors.front().str();
  };
  CHECK(bad("organisation:\n  detach:\n    expire: 0s\nrules: []\n").find("p.yaml:3:13: expire must be longer") == 0);
  CHECK(bad("organisation:\n  detach:\n    lifetime: 1d\nrules: []\n").find("p.yaml:3:5:") == 0);
  CHECK(bad("organisation:\n  detach:\n    downloads_per_minute: 0\nrules: []\n").find("at least 1") != std::string::npos);
  CHECK(bad("rules:\n  - id: a\n    action: { type: hold, delay: 1m, detach: maybe }\n").find("detach is true") !=
        std::string::npos);
}
