// `preflightctl config check`: every check reported, a refused policy and an unreachable re-injection
// listener are errors, a listener that greets is ok.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "preflight/cli/cli.hpp"
#include "smtp_sink.hpp"

using namespace preflight;

namespace {

std::string write_setup(const std::string& dir, const std::string& domains, int reinject_port) {
  std::filesystem::create_directories(dir + "/state");
  std::ofstream(dir + "/policy.yaml") << "organisation:\n  internal_domains: " << domains
                                      << "\nrules:\n  - {id: r, when: \"recipients.external >= 9\", action: bcc}\n";
  std::ofstream(dir + "/preflight.yaml") << "roles: [milter, scheduler]\nmilter: {socket: \"unix:" << dir
                                         << "/sock/milter.sock\"}\nstate_dir: state\npolicies: [policy.yaml]\n"
                                         << "queue: {reinject: \"127.0.0.1:" << reinject_port << "\"}\n";
  return dir + "/preflight.yaml";
}

}  // namespace

TEST_CASE("config check names what is wrong and passes once it is right") {
  std::string dir = "/tmp/preflight-config-check-" + std::to_string(getpid());
  SmtpSink sink;
  std::ostringstream out, err;
  std::string config = write_setup(dir, "[]", sink.port());
  CHECK(cli::run({"config", "check", "--config", config}, out, err) == 1);
  CHECK(out.str().find("error policy: organisation.internal_domains is empty") != std::string::npos);
  CHECK(out.str().find("error milter socket directory: " + dir + "/sock does not exist") != std::string::npos);
  CHECK(out.str().find("ok    state_dir: " + dir + "/state") != std::string::npos);
  CHECK(out.str().find("ok    re-injection listener 127.0.0.1:") != std::string::npos);

  std::filesystem::create_directories(dir + "/sock");
  write_setup(dir, "[example.co.jp]", sink.port());
  out.str("");
  CHECK(cli::run({"config", "check", "--config", config}, out, err) == 0);
  CHECK(out.str().find("ok    policy: 1 rule(s), 1 internal domain(s)") != std::string::npos);
  CHECK(out.str().find("all checks passed") != std::string::npos);

  write_setup(dir, "[example.co.jp]", 1);  // nothing listens on port 1
  out.str("");
  CHECK(cli::run({"config", "check", "--config", config}, out, err) == 1);
  CHECK(out.str().find("error re-injection listener 127.0.0.1:1: cannot connect") != std::string::npos);
  std::filesystem::remove_all(dir);
}
