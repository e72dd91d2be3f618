// `preflightctl config check [--config FILE]`: what preflightd reads at start and on SIGHUP, checked
// before a restart or reload. One line per check (`ok  WHAT: detail` or `error WHAT: detail`); exit 0
// when every check passed, 1 when one failed, 64 on usage errors, 78 when the configuration is unreadable.
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <ostream>

#include "preflight/cli/cli.hpp"
#include "preflight/daemon/config.hpp"
#include "preflight/daemon/daemon.hpp"
#include "preflight/queue/smtp_client.hpp"

namespace preflight::cli {

namespace {

struct Report {
  std::ostream& out;
  int failed = 0;
  void line(bool ok, const std::string& what, const std::string& detail) {
    out << (ok ? "ok    " : "error ") << what << ": " << detail << "\n";
    if (!ok) ++failed;
  }
};

// A directory preflightd must write (state_dir, a unix socket's directory): there, a directory, writable by
// whoever runs this (run it as preflightd's user to check that user). A state_dir preflightd can create counts.
void writable_dir(Report& r, const std::string& what, const std::string& dir, bool created = false) {
  struct stat st {};
  std::string parent = std::filesystem::path(dir).parent_path().string();
  if (::stat(dir.c_str(), &st) != 0 && created && ::access(parent.c_str(), W_OK | X_OK) == 0)
    return r.line(true, what, dir + " does not exist yet; preflightd makes it (0700)");
  if (::stat(dir.c_str(), &st) != 0) return r.line(false, what, dir + " does not exist");
  if (!S_ISDIR(st.st_mode)) return r.line(false, what, dir + " is not a directory");
  if (::access(dir.c_str(), W_OK | X_OK) != 0) return r.line(false, what, dir + " is not writable by this user");
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", unsigned(st.st_mode & 07777));
  r.line(true, what, dir + " (mode " + mode + ")");
}

void policies(Report& r, const daemon::Config& c) {
  auto result = policy::compile_files(c.policies);
  for (const auto& e : result.errors) r.line(false, "policy", e.str());
  if (!result.policy) return;
  for (const auto& w : result.warnings) r.out << "warn  policy: " << w.str() << "\n";
  auto refused = daemon::refusals(c.policies, *result.policy);
  for (const auto& why : refused) r.line(false, "policy", why);
  if (refused.empty())
    r.line(true, "policy", std::to_string(result.policy->rules.size()) + " rule(s), " +
                               std::to_string(result.policy->organisation.internal_domains.size()) +
                               " internal domain(s), " + std::to_string(result.policy->organisation.directory.size()) +
                               " directory entr(ies) from " + std::to_string(c.policies.size()) + " file(s)");
}

void milter_socket(Report& r, const std::string& spec) {
  for (const char* prefix : {"unix:", "local:"})
    if (spec.rfind(prefix, 0) == 0)
      return writable_dir(r, "milter socket directory",
                          std::filesystem::path(spec.substr(std::strlen(prefix))).parent_path().string());
  r.line(true, "milter socket", spec);
}

void reinject(Report& r, const queue::SmtpTarget& t) {
  std::string name = t.socket.empty() ? t.host + ":" + std::to_string(t.port) : "unix:" + t.socket;
  auto greeting = queue::smtp_probe(t);
  r.line(bool(greeting), "re-injection listener " + name, greeting ? *greeting : greeting.error());
}

}  // namespace

int config_check(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string config = "/etc/preflight/preflight.yaml";
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config" && i + 1 < args.size()) {
      config = args[++i];
    } else {
      err << "usage: preflightctl config check [--config FILE]\n";
      return 64;
    }
  }
  auto cr = daemon::load_config(config);
  Report r{out};
  for (const auto& e : cr.errors) r.line(false, "config", e.str());
  if (!cr.errors.empty()) return 78;
  const daemon::Config& c = cr.config;
  r.line(true, "config", config);
  policies(r, c);
  writable_dir(r, "state_dir", c.state_dir, true);
  if (daemon::has_role(c, "milter")) milter_socket(r, c.milter.socket);
  if (daemon::has_role(c, "scheduler") || daemon::has_role(c, "web")) reinject(r, c.queue.reinject);
  out << (r.failed ? std::to_string(r.failed) + " check(s) failed\n" : "all checks passed\n");
  return r.failed ? 1 : 0;
}

}  // namespace preflight::cli
