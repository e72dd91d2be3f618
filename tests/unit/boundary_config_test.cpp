// The configuration keys of the trust boundaries: the re-injection socket, the SSO proxy's secret, the
// reverse proxies whose X-Forwarded-For is believed, and how long sent notices are kept.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "preflight/daemon/config.hpp"

using namespace preflight;

namespace {
struct ConfigDir {
  std::string dir = "/tmp/preflight-boundary-config-test-" + std::to_string(getpid());
  ConfigDir() { std::filesystem::create_directories(dir); }
  ~ConfigDir() { std::filesystem::remove_all(dir); }
  daemon::ConfigResult load(const std::string& yaml) {
    std::ofstream(dir + "/c.yaml") << yaml << "policies: [p.yaml]\n";
    return daemon::load_config(dir + "/c.yaml");
  }
};
}  // namespace

TEST_CASE("queue.reinject is Postfix's unix socket by default, or unix:/path, or host:port") {
  ConfigDir d;
  auto plain = d.load("");
  REQUIRE(plain.errors.empty());
  CHECK(plain.config.queue.reinject.socket == "/var/spool/postfix/public/preflight-reinject");
  CHECK(plain.config.queue.notice_retention_seconds == 30 * 86400);
  auto unix_socket = d.load("queue: {reinject: \"unix:/run/mta/reinject\", notice_retention: 3600}\n");
  REQUIRE(unix_socket.errors.empty());
  CHECK(unix_socket.config.queue.reinject.socket == "/run/mta/reinject");
  CHECK(unix_socket.config.queue.notice_retention_seconds == 3600);
  auto tcp = d.load("queue: {reinject: \"10.0.0.5:10026\"}\n");
  REQUIRE(tcp.errors.empty());
  CHECK(tcp.config.queue.reinject.socket.empty());
  CHECK(tcp.config.queue.reinject.host == "10.0.0.5");
  CHECK(tcp.config.queue.reinject.port == 10026);
  auto relative = d.load("queue: {reinject: \"unix:reinject\", notice_retention: 0}\n");
  REQUIRE(relative.errors.size() == 2);
  CHECK(relative.errors[0].message.find("absolute socket path") != std::string::npos);
  CHECK(relative.errors[1].message == "notice_retention must be more than 0 seconds");
}

TEST_CASE("the SSO proxy header needs a secret; trusted proxies are IP addresses") {
  ConfigDir d;
  auto no_secret = d.load("web: {trust_proxy_header: X-Remote-User}\n");
  REQUIRE(no_secret.errors.size() == 1);
  CHECK(no_secret.errors[0].message.find("trust_proxy_header needs trust_proxy_secret") == 0);
  CHECK(d.load("web: {trust_proxy_header: X-Remote-User, trust_proxy_secret: short}\n").errors.size() == 1);
  auto ok = d.load("web: {trust_proxy_header: X-Remote-User, trust_proxy_secret: 0123456789abcdef0123,\n"
                   "      trusted_proxies: [127.0.0.1, \"::1\"]}\n");
  for (const auto& e : ok.errors) INFO(e.str());
  REQUIRE(ok.errors.empty());
  CHECK(ok.config.web.trust_proxy_secret == "0123456789abcdef0123");
  CHECK(ok.config.web.trusted_proxies == std::vector<std::string>{"127.0.0.1", "::1"});
  auto bad = d.load("web: {trusted_proxies: [proxy.example.co.jp]}\n");
  REQUIRE(bad.errors.size() == 1);
  CHECK(bad.errors[0].message == "'proxy.example.co.jp' is not an IP address");
}

TEST_CASE("log.format is text or json; the metrics token file must be readable and long enough") {
  ConfigDir d;
  auto json = d.load("log: {format: json, syslog: true}\n");
  REQUIRE(json.errors.empty());
  CHECK(json.config.log_format == "json");
  CHECK(json.config.log_syslog);
  auto bad_format = d.load("log: {format: xml}\n");
  REQUIRE(bad_format.errors.size() == 1);
  CHECK(bad_format.errors[0].message == "log format is text or json");
  auto missing = d.load("metrics: {token_file: " + d.dir + "/no-such-token}\n");
  REQUIRE(missing.errors.size() == 1);
  CHECK(missing.errors[0].message.find("cannot read the metrics token file") == 0);
  std::ofstream(d.dir + "/short-token") << "abc\n";
  auto short_token = d.load("metrics: {token_file: " + d.dir + "/short-token}\n");
  REQUIRE(short_token.errors.size() == 1);
  CHECK(short_token.errors[0].message.find("shorter than 16 characters") != std::string::npos);
  std::ofstream(d.dir + "/token") << "0123456789abcdef0123\n";
  auto ok = d.load("metrics: {listen: \"127.0.0.1:9125\", token_file: " + d.dir + "/token}\n");
  for (const auto& e : ok.errors) INFO(e.str());
  REQUIRE(ok.errors.empty());
  CHECK(ok.config.metrics.token == "0123456789abcdef0123");
  CHECK(ok.config.metrics.port == 9125);
}
