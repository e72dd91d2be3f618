// The files the project ships: the default configuration and policy load, and the policy reference
// documents every fact the detectors produce.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "preflight/daemon/config.hpp"
#include "preflight/detect/facts.hpp"
#include "preflight/policy/compile.hpp"

using namespace preflight;

namespace {
std::string source(const std::string& rel) { return std::string(PREFLIGHT_SOURCE_DIR) + "/" + rel; }
}  // namespace

TEST_CASE("the shipped configuration and policy load without errors") {
  auto cr = daemon::load_config(source("config/preflight.yaml"));
  for (const auto& e : cr.errors) INFO(e.str());
  REQUIRE(cr.errors.empty());
  CHECK(cr.config.milter.socket == "inet:8891@127.0.0.1");
  CHECK_FALSE(cr.config.milter.accept_on_error);
  REQUIRE(cr.config.policies.size() == 1);
  auto pr = policy::compile_files(cr.config.policies);
  for (const auto& e : pr.errors) INFO(e.str());
  CHECK(pr.policy);
}

TEST_CASE("every fact is documented in the policy reference") {
  std::ifstream in(source("docs/policy-reference.md"));
  REQUIRE(in);
  std::stringstream doc;
  doc << in.rdbuf();
  for (const auto& f : detect::fact_catalogue()) {
    INFO(f.name);
    CHECK(doc.str().find("`" + f.name + "`") != std::string::npos);
  }
}

TEST_CASE("configuration errors carry their position; relative paths follow the file") {
  std::string dir = "/tmp/preflight-config-test";
  std::system(("mkdir -p " + dir).c_str());
  {
    std::ofstream(dir + "/bad.yaml") << "milter:\n  on_error: ignore\n  timeout: soon\npolicies: [p.yaml]\n";
  }
  auto cr = daemon::load_config(dir + "/bad.yaml");
  REQUIRE(cr.errors.size() == 2);
  CHECK(cr.errors[0].str() == dir + "/bad.yaml:3:12: expected seconds");
  CHECK(cr.errors[1].str() == dir + "/bad.yaml:2:13: on_error is 'tempfail' (recommended) or 'accept'");
  CHECK(cr.config.policies == std::vector<std::string>{dir + "/p.yaml"});
  {
    std::ofstream(dir + "/typo.yaml") << "policies: [p.yaml]\nlog: {level: information}\nqueue: {interval: 0, lease: -1}\n";
  }
  auto typo = daemon::load_config(dir + "/typo.yaml");
  REQUIRE(typo.errors.size() == 3);  // a misspelt level would have silenced the log; 0 s would spin
  CHECK(typo.errors[0].message == "interval must be more than 0 seconds");
  CHECK(typo.errors[1].message == "lease must be more than 0 seconds");
  CHECK(typo.errors[2].message == "log level is trace, debug, info, warning, error, critical or off");
  auto missing = daemon::load_config(dir + "/absent.yaml");
  REQUIRE(missing.errors.size() == 1);
  CHECK(missing.errors[0].message == "cannot read configuration file");
}
