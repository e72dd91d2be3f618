// Policy compilation: valid policies compile; every mistake is reported with file:line:column.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "preflight/policy/compile.hpp"

using namespace preflight::policy;

namespace {
std::string first_error(const std::string& yaml) {
  auto r = compile_text(yaml, "p.yaml");
  REQUIRE_FALSE(r.policy);
  REQUIRE_FALSE(r.errors.empty());
  return r.errors.front().str();
}

// Writes a file into a fresh directory under the system temporary directory; returns its path. Everything
// is removed when the test binary exits.
std::string write_temp(const std::string& name, const std::string& text) {
  struct Root {
    std::filesystem::path path = std::filesystem::temp_directory_path() /
                                 ("preflight-policy-test-" + std::to_string(::getpid()));
    ~Root() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static Root root;
  static int n = 0;
  auto dir = root.path / std::to_string(++n);
  std::filesystem::create_directories(dir);
  auto path = dir / name;
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

// Compiles a policy whose organisation names the directory file; returns every error, joined.
std::string directory_errors(const std::string& path) {
  auto r = compile_text("organisation:\n  directory: " + path + "\n", "p.yaml");
  std::string out;
  for (const auto& e : r.errors) out += e.str() + "\n";
  return out;
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
  CHECK(first_error("rules:\n  - id: x\n    action: hide\n") == "p.yaml:3:13: unknown action 'hide' (accept, tag, bcc, detach, hold, approve, reject)");
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

TEST_CASE("internal_domains: a single domain may be written without a list, like every other list key") {
  auto r = compile_text("organisation:\n  internal_domains: Example.CO.JP\n", "p.yaml");
  for (const auto& e : r.errors) INFO(e.str());
  REQUIRE(r.policy);
  CHECK(r.policy->organisation.internal_domains == std::vector<std::string>{"example.co.jp"});
  CHECK(first_error("organisation:\n  internal_domains: co.jp\n") ==
        "p.yaml:2:21: 'co.jp' is a public suffix, not an organisation's domain");
  CHECK(first_error("organisation:\n  internal_domains: {example.co.jp: yes}\n") ==
        "p.yaml:2:21: expected a list of domains");
}

TEST_CASE("role and group names are case-insensitive") {
  auto r = compile_text(R"(organisation:
  roles: {Security: [Sec@Example.co.jp]}
  groups: {Sales: ["*@sales.example.co.jp"]}
rules:
  - id: a
    groups: [sales]
    action: {type: approve, approvers: ["role:Security"]}
  - id: b
    groups: SALES
    action: tag
)", "p.yaml");
  for (const auto& e : r.errors) INFO(e.str());
  REQUIRE(r.policy);
  CHECK(r.policy->organisation.roles.at("security") == std::vector<std::string>{"sec@example.co.jp"});
  CHECK(r.policy->organisation.groups.count("sales") == 1);
  CHECK(r.policy->rules[0].action.hold.approvers == std::vector<std::string>{"role:security"});
  CHECK(r.policy->rules[0].applies_to.groups == std::vector<std::string>{"sales"});
  CHECK(r.policy->rules[1].applies_to.groups == std::vector<std::string>{"sales"});
  CHECK(first_error("organisation:\n  roles: {Security: [a@example.co.jp], security: [b@example.co.jp]}\n") ==
        "p.yaml:2:40: role 'security' is defined twice (names are case-insensitive)");
  CHECK(first_error("organisation:\n  groups: {Sales: [\"a@*\"], SALES: [\"b@*\"]}\n") ==
        "p.yaml:2:28: group 'sales' is defined twice (names are case-insensitive)");
}

TEST_CASE("rule ids are plain ASCII tokens: they go into the X-Preflight-Verdict header") {
  auto ok = compile_text("rules:\n  - {id: Visible.External_to-Bcc2, action: tag}\n", "p.yaml");
  for (const auto& e : ok.errors) INFO(e.str());
  CHECK(ok.policy);
  const std::string rule = "' may contain only letters A-Z a-z, digits, '.', '_' and '-' (it goes into the "
                           "X-Preflight-Verdict header)";
  CHECK(first_error("rules:\n  - {id: \"a b\", action: tag}\n") == "p.yaml:2:10: rule id 'a b" + rule);
  CHECK(first_error("rules:\n  - {id: \"a,b\", action: tag}\n") == "p.yaml:2:10: rule id 'a,b" + rule);
  CHECK(first_error("rules:\n  - id: a;b\n    action: tag\n") == "p.yaml:2:9: rule id 'a;b" + rule);
  CHECK(first_error("rules:\n  - id: 見積\n    action: tag\n") == "p.yaml:2:9: rule id '見積" + rule);
  CHECK(first_error("rules:\n  - id: \"\"\n    action: tag\n") == "p.yaml:2:9: rule id '" + rule);
}

TEST_CASE("expire must be longer than 0 and escalate shorter than expire") {
  auto ok = compile_text("rules:\n  - {id: a, action: {type: approve, approvers: [self], expire: 8h, escalate: 2h}}\n"
                         "  - {id: b, action: {type: approve, approvers: [self], escalate: 23h}}\n",
                         "p.yaml");
  for (const auto& e : ok.errors) INFO(e.str());
  CHECK(ok.policy);
  CHECK(first_error("rules:\n  - {id: a, action: {type: approve, approvers: [self], expire: 0}}\n") ==
        "p.yaml:2:64: expire must be longer than 0: the approval would expire at once");
  CHECK(first_error("rules:\n  - {id: a, action: {type: approve, approvers: [self], expire: 0s}}\n") ==
        "p.yaml:2:64: expire must be longer than 0: the approval would expire at once");
  CHECK(first_error("rules:\n  - {id: a, action: {type: approve, approvers: [self], expire: 2h, escalate: 2h}}\n") ==
        "p.yaml:2:78: escalate (7200s) must be shorter than expire (7200s, 24h when not given): it would never happen");
  CHECK(first_error("rules:\n  - {id: a, action: {type: approve, approvers: [self], escalate: 2d}}\n") ==
        "p.yaml:2:66: escalate (172800s) must be shorter than expire (86400s, 24h when not given): it would never "
        "happen");
  // A bad duration is reported once, not again as "0".
  auto bad = compile_text("rules:\n  - {id: a, action: {type: approve, approvers: [self], expire: soon}}\n", "p.yaml");
  REQUIRE(bad.errors.size() == 1);
  CHECK(bad.errors[0].message == "expected a duration such as 30s, 5m, 2h or 3d");
}

TEST_CASE("directory: a valid CSV or YAML file fills the directory") {
  auto csv = write_temp("dir.csv", "# who approves whom\naddress,Supervisor,deputy,delegate,department\n"
                                   "Taro@Example.co.jp,boss@example.co.jp,,acting@example.co.jp,sales\n");
  auto r = compile_text("organisation:\n  directory: " + csv + "\n", "p.yaml");
  for (const auto& e : r.errors) INFO(e.str());
  REQUIRE(r.policy);
  const auto& taro = r.policy->organisation.directory.at("taro@example.co.jp");
  CHECK(taro.supervisor == "boss@example.co.jp");
  CHECK(taro.deputy.empty());
  CHECK(taro.delegate == "acting@example.co.jp");
  CHECK(taro.department == "sales");
  auto yaml = write_temp("dir.yaml", "- {address: taro@example.co.jp, supervisor: Boss@Example.co.jp, department: Sales}\n"
                                     "- {address: boss@example.co.jp, deputy: vice@example.co.jp, delegate: ~}\n");
  auto y = compile_text("organisation:\n  directory: " + yaml + "\n", "p.yaml");
  for (const auto& e : y.errors) INFO(e.str());
  REQUIRE(y.policy);
  CHECK(y.policy->organisation.directory.at("taro@example.co.jp").supervisor == "boss@example.co.jp");
  CHECK(y.policy->organisation.directory.at("boss@example.co.jp").deputy == "vice@example.co.jp");
}

TEST_CASE("directory: unknown columns and keys, and supervisors that are not addresses, are errors naming the file") {
  auto csv = write_temp("dir.csv", "address,supervisr,department\ntaro@example.co.jp,boss@example.co.jp,sales\n");
  CHECK(directory_errors(csv) == "p.yaml:2:14: directory " + csv +
                                     ": line 1: unknown column 'supervisr' (columns: address, supervisor, deputy, "
                                     "delegate, department)\n");
  auto cell = write_temp("dir.csv", "address,supervisor,deputy\n# comment\ntaro@example.co.jp,boss,vice@example.co.jp\n");
  CHECK(directory_errors(cell) == "p.yaml:2:14: directory " + cell + ": line 3: 'boss' in supervisor is not an address\n");
  auto deputy = write_temp("dir.csv", "address,supervisor,deputy,delegate\nt@example.co.jp,b@example.co.jp,,acting\n");
  CHECK(directory_errors(deputy).find(": line 2: 'acting' in delegate is not an address") != std::string::npos);
  auto extra = write_temp("dir.csv", "address,supervisor\nt@example.co.jp,b@example.co.jp,sales\n");
  CHECK(directory_errors(extra).find(": line 2: more cells than the header has columns") != std::string::npos);
  auto yaml = write_temp("dir.yaml", "- address: taro@example.co.jp\n  supervisr: boss@example.co.jp\n");
  CHECK(directory_errors(yaml) == "p.yaml:2:14: directory " + yaml +
                                      ": line 2: unknown key 'supervisr' (keys: address, supervisor, deputy, delegate, "
                                      "department)\n");
  auto ybad = write_temp("dir.yaml", "- address: taro@example.co.jp\n  deputy: vice\n");
  CHECK(directory_errors(ybad) == "p.yaml:2:14: directory " + ybad + ": line 2: 'vice' in deputy is not an address\n");
}

TEST_CASE("an approve rule that may find nobody is a warning unless a fallback role has someone") {
  struct Case {
    std::string organisation;
    std::string approvers;
    std::size_t warnings;
  };
  const std::vector<Case> cases = {
      {"{}", "[supervisor]", 1},                                          // no 'security' role defined
      {"{roles: {security: [sec@example.co.jp]}}", "[supervisor]", 0},    // the default fallback has someone
      {"{roles: {security: []}}", "[supervisor]", 1},                      // ... or nobody
      {"{roles: {security: [s@example.co.jp]}, approver_fallback: none}", "[supervisor]", 1},
      {"{roles: {ops: [o@example.co.jp]}, approver_fallback: ops}", "[supervisor]", 0},
      {"{roles: {empty: []}}", "[\"role:empty\"]", 1},
      {"{}", "[supervisor, self]", 0},
      {"{}", "[supervisor, boss@example.co.jp]", 0},
  };
  for (const auto& c : cases) {
    CAPTURE(c.organisation);
    CAPTURE(c.approvers);
    auto r = compile_text("organisation: " + c.organisation + "\nrules:\n  - {id: a, action: {type: approve, approvers: " +
                              c.approvers + "}}\n",
                          "p.yaml");
    for (const auto& e : r.errors) INFO(e.str());
    REQUIRE(r.policy);
    REQUIRE(r.warnings.size() == c.warnings);
    if (c.warnings) {
      CHECK(r.warnings[0].where.str() == "p.yaml:3:5");
      CHECK(r.warnings[0].message.find("rule 'a' may find no approver") == 0);
    }
  }
  auto bad = compile_text("organisation: {approver_fallback: nobody}\n", "p.yaml");
  REQUIRE(bad.errors.size() == 1);
  CHECK(bad.errors[0].str() == "p.yaml:1:35: approver_fallback names the role 'nobody', which organisation.roles "
                               "does not define");
}
