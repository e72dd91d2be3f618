// preflight.yaml -> Config; see config.hpp.
#include "preflight/daemon/config.hpp"

#include <arpa/inet.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>

#include "preflight/util/strings.hpp"

namespace preflight::daemon {

namespace {

namespace fs = std::filesystem;

struct Reader {
  std::string file;
  fs::path base;
  std::vector<policy::PolicyError>& errors;

  void error(const YAML::Node& n, const std::string& msg) {
    errors.push_back({{file, n.Mark().line + 1, n.Mark().column + 1}, msg});
  }
  std::string path(const YAML::Node& n) {
    if (!n.IsScalar()) return error(n, "expected a path"), std::string();
    fs::path p(n.Scalar());
    return (p.is_absolute() ? p : (base / p)).lexically_normal().string();
  }
  template <typename T>
  T value(const YAML::Node& n, T fallback, const char* what) {
    try {
      return n.as<T>();
    } catch (const YAML::Exception&) {
      error(n, std::string("expected ") + what);
      return fallback;
    }
  }
  void milter(const YAML::Node& n, milter::Settings& m) {
    if (n["socket"]) m.socket = value<std::string>(n["socket"], m.socket, "a milter socket such as inet:8891@127.0.0.1");
    if (n["timeout"]) m.timeout_seconds = value<int>(n["timeout"], 30, "seconds");
    if (n["memory_limit"]) m.memory_limit = value<std::size_t>(n["memory_limit"], m.memory_limit, "bytes");
    if (const auto& e = n["on_error"]) {
      std::string v = value<std::string>(e, "tempfail", "tempfail or accept");
      if (v != "tempfail" && v != "accept") error(e, "on_error is 'tempfail' (recommended) or 'accept'");
      m.accept_on_error = v == "accept";
    }
    if (const auto& d = n["learn_daemons"]) learn_daemons(d, m.learn_daemons);
    budget(n, m);
  }
  // The message's budget: deadline (below the MTA's milter_content_timeout), bytes, and what running out
  // or a degraded context leads to.
  void budget(const YAML::Node& n, milter::Settings& m) {
    if (const auto& d = n["deadline"]) {
      m.deadline_seconds = value<double>(d, m.deadline_seconds, "seconds");
      if (!(m.deadline_seconds > 0 && m.deadline_seconds < 3600))
        error(d, "deadline is more than 0 and less than 3600 seconds, and below Postfix's milter_content_timeout "
                 "(300 s by default)");
    }
    if (n["budget_bytes"]) m.budget_bytes = value<std::uint64_t>(n["budget_bytes"], m.budget_bytes, "bytes");
    m.evaluate_exhausted = error_or_evaluate(n["on_budget_exhausted"], "on_budget_exhausted");
    m.evaluate_degraded = error_or_evaluate(n["on_context_degraded"], "on_context_degraded");
  }
  // `error` (the default: answered like any internal error, milter.on_error) or `evaluate` (a fact the
  // policy sees); true for evaluate.
  bool error_or_evaluate(const YAML::Node& n, const char* key) {
    if (!n) return false;
    std::string v = value<std::string>(n, "error", "error or evaluate");
    if (v != "error" && v != "evaluate") error(n, std::string(key) + " is 'error' (recommended) or 'evaluate'");
    return v == "evaluate";
  }
  // Postfix's milter_macro_daemon_name values (master.cf -o) whose connections are learned, not checked.
  // No dots: Postfix's default daemon name is $myhostname, so a host name here would make every
  // connection without its own name, outgoing mail included, pass unchecked.
  void learn_daemons(const YAML::Node& n, std::vector<std::string>& out) {
    if (!n.IsSequence()) return error(n, "learn_daemons is a list of daemon names, e.g. [inbound]");
    for (const auto& item : n) {
      std::string v = item.IsScalar() ? item.Scalar() : std::string();
      bool ok = !v.empty() && v.size() <= 64 && std::all_of(v.begin(), v.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '-' || c == '_';
      });
      if (!ok)
        error(item, "a daemon name is 1 to 64 letters, digits, '-' or '_', never a host name "
                    "(Postfix's default milter_macro_daemon_name is $myhostname: outgoing mail would be learned)");
      else if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
    }
  }
  // The reverse proxies whose X-Forwarded-For is believed: IP addresses, as the peer address reads.
  void trusted_proxies(const YAML::Node& n, std::vector<std::string>& out) {
    if (!n.IsSequence()) return error(n, "trusted_proxies is a list of IP addresses, e.g. [127.0.0.1]");
    for (const auto& item : n) {
      std::string v = item.IsScalar() ? item.Scalar() : std::string();
      unsigned char buf[sizeof(in6_addr)];
      if (inet_pton(AF_INET, v.c_str(), buf) != 1 && inet_pton(AF_INET6, v.c_str(), buf) != 1)
        error(item, "'" + v + "' is not an IP address");
      else
        out.push_back(v);
    }
  }
  // "host:port"
  void endpoint(const YAML::Node& n, std::string& host, int& port) {
    std::string v = value<std::string>(n, "", "host:port");
    auto colon = v.rfind(':');
    try {
      if (colon == std::string::npos) throw std::invalid_argument("no port");
      port = std::stoi(v.substr(colon + 1));
      host = v.substr(0, colon);
    } catch (const std::exception&) {
      error(n, "expected host:port such as 127.0.0.1:10026");
    }
  }
  // "unix:/path" (a unix-domain socket, absolute) or "host:port"
  void smtp_target(const YAML::Node& n, queue::SmtpTarget& t) {
    std::string v = value<std::string>(n, "", "unix:/path or host:port");
    t.socket = v.starts_with("unix:") ? v.substr(5) : "";
    if (t.socket.empty()) return endpoint(n, t.host, t.port);
    if (!fs::path(t.socket).is_absolute())
      error(n, "expected an absolute socket path such as unix:/var/spool/postfix/preflight/reinject");
  }
  void queue(const YAML::Node& n, QueueConfig& q) {
    if (n["reinject"]) smtp_target(n["reinject"], q.reinject);
    if (n["notice_retention"])
      q.notice_retention_seconds = value<std::int64_t>(n["notice_retention"], q.notice_retention_seconds, "seconds");
    if (n["notice_retention"] && q.notice_retention_seconds <= 0)
      error(n["notice_retention"], "notice_retention must be more than 0 seconds");
    if (n["notice_from"]) q.notice_from = value<std::string>(n["notice_from"], q.notice_from, "an address");
    if (n["interval"]) q.interval_seconds = value<double>(n["interval"], 5, "seconds");
    if (n["lease"]) q.lease_seconds = value<int>(n["lease"], 120, "seconds");
    if (n["interval"] && q.interval_seconds <= 0) error(n["interval"], "interval must be more than 0 seconds");
    if (n["lease"] && q.lease_seconds <= 0) error(n["lease"], "lease must be more than 0 seconds");
    if (n["helo"]) q.reinject.helo = value<std::string>(n["helo"], q.reinject.helo, "a host name");
    if (n["max_release_attempts"])
      q.max_release_attempts = value<int>(n["max_release_attempts"], q.max_release_attempts, "a number of attempts");
    if (n["max_release_time"])
      q.max_release_seconds = value<std::int64_t>(n["max_release_time"], q.max_release_seconds, "seconds");
    if (n["admin_address"]) q.admin_address = value<std::string>(n["admin_address"], q.admin_address, "an address");
    if (q.max_release_attempts < 0) error(n["max_release_attempts"], "max_release_attempts must be 0 or more");
    if (q.max_release_seconds < 0) error(n["max_release_time"], "max_release_time must be 0 or more seconds");
  }
  void web(const YAML::Node& n, WebConfig& w) {
    if (n["listen"]) endpoint(n["listen"], w.host, w.port);
    if (n["base_url"]) w.base_url = value<std::string>(n["base_url"], w.base_url, "a URL");
    if (n["link_ttl"]) w.link_ttl_seconds = value<std::int64_t>(n["link_ttl"], w.link_ttl_seconds, "seconds");
    if (n["secure_cookies"]) w.secure_cookies = value<bool>(n["secure_cookies"], false, "true or false");
    if (n["trust_proxy_header"])
      w.trust_proxy_header = value<std::string>(n["trust_proxy_header"], "", "a header name, or \"\" for off");
    if (n["trust_proxy_secret"])
      w.trust_proxy_secret = value<std::string>(n["trust_proxy_secret"], "", "the secret the SSO proxy sends");
    if (!w.trust_proxy_header.empty() && w.trust_proxy_secret.size() < 16)
      error(n["trust_proxy_header"], "trust_proxy_header needs trust_proxy_secret (16 characters or more), which the "
                                     "SSO proxy sends in X-Preflight-Proxy-Secret: without it any local process "
                                     "could claim any account");
    if (const auto& t = n["trusted_proxies"]) trusted_proxies(t, w.trusted_proxies);
    if (n["session_idle"]) w.session_idle_seconds = value<std::int64_t>(n["session_idle"], w.session_idle_seconds, "seconds");
  }
  // metrics.listen (empty: /metrics on web.listen) and metrics.token_file (the bearer token, read here)
  void metrics(const YAML::Node& n, MetricsConfig& m) {
    if (n["listen"] && !n["listen"].Scalar().empty()) endpoint(n["listen"], m.host, m.port);
    if (!n["token_file"] || n["token_file"].Scalar().empty()) return;
    std::string file = path(n["token_file"]);
    std::ifstream in(file);
    std::getline(in, m.token);
    m.token = std::string(util::trim(m.token));
    if (!in && m.token.empty()) return error(n["token_file"], "cannot read the metrics token file " + file);
    if (m.token.size() < 16) error(n["token_file"], "the metrics token in " + file + " is shorter than 16 characters");
  }
};

}  // namespace

bool has_role(const Config& c, const std::string& role) {
  return std::find(c.roles.begin(), c.roles.end(), role) != c.roles.end();
}

ConfigResult load_config(const std::string& path) {
  ConfigResult r;
  r.config.path = path;
  Reader rd{path, fs::absolute(path).parent_path(), r.errors};
  try {
    YAML::Node root = YAML::LoadFile(path);
    if (!root.IsMap()) {
      r.errors.push_back({{path, 1, 1}, "expected a map with milter, state_dir, policies, log"});
      return r;
    }
    if (const auto& roles = root["roles"]) {
      r.config.roles.clear();
      for (const auto& role : roles) {
        std::string v = rd.value<std::string>(role, "", "a role");
        if (v != "milter" && v != "web" && v != "scheduler") rd.error(role, "unknown role '" + v + "' (milter, web, scheduler)");
        r.config.roles.push_back(v);
      }
    }
    if (root["milter"]) rd.milter(root["milter"], r.config.milter);
    if (root["queue"]) rd.queue(root["queue"], r.config.queue);
    if (root["web"]) rd.web(root["web"], r.config.web);
    if (root["metrics"]) rd.metrics(root["metrics"], r.config.metrics);
    r.config.state_dir = root["state_dir"] ? rd.path(root["state_dir"]) : "/var/lib/preflight";
    if (const auto& p = root["policies"]) {
      if (p.IsScalar()) r.config.policies.push_back(rd.path(p));
      for (const auto& item : p)
        if (p.IsSequence()) r.config.policies.push_back(rd.path(item));
    }
    if (r.config.policies.empty()) r.errors.push_back({{path, 1, 1}, "no policies: list at least one policy file"});
    if (const auto& l = root["log"]) {
      if (const auto& level = l["level"]) {
        // spdlog reads any unknown name as "off": a typo must not silence the log.
        r.config.log_level = rd.value<std::string>(level, "info", "a log level");
        static const std::set<std::string> kLevels = {"trace", "debug", "info", "warning", "warn", "error",
                                                      "critical", "off"};
        if (!kLevels.count(r.config.log_level))
          rd.error(level, "log level is trace, debug, info, warning, error, critical or off");
      }
      if (l["file"] && !l["file"].Scalar().empty()) r.config.log_file = rd.path(l["file"]);
      if (const auto& f = l["format"]) {
        r.config.log_format = rd.value<std::string>(f, "text", "text or json");
        if (r.config.log_format != "text" && r.config.log_format != "json") rd.error(f, "log format is text or json");
      }
      if (l["syslog"]) r.config.log_syslog = rd.value<bool>(l["syslog"], false, "true or false");
    }
  } catch (const YAML::BadFile&) {
    r.errors.push_back({{path, 0, 0}, "cannot read configuration file"});
  } catch (const YAML::Exception& e) {
    r.errors.push_back({{path, e.mark.line + 1, e.mark.column + 1}, e.msg});
  }
  r.config.milter.spill_dir = r.config.state_dir + "/tmp";
  return r;
}

}  // namespace preflight::daemon
