// preflightd start-up, signals and reload; see daemon.hpp.
#include "preflight/daemon/daemon.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>
#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <thread>

#include "preflight/daemon/config.hpp"
#include "preflight/mail/parse.hpp"
#include "preflight/milter/milter.hpp"
#include "preflight/policy/compile.hpp"
#include "preflight/util/memory.hpp"
#include "preflight/util/metrics.hpp"
#include "preflight/util/private_files.hpp"
#include "logging.hpp"
#include "services.hpp"
#include "systemd_notify.hpp"

namespace preflight::daemon {

namespace {

// The state directory and its spill directory are 0700 whatever the umask: they hold held mail, the
// database and the link key.
bool prepare_state_dir(const Config& c) {
  for (const std::string& dir : {c.state_dir, c.milter.spill_dir})
    if (auto ok = util::make_private_dir(dir); !ok) {
      spdlog::critical("state directory: {}", ok.error());
      return false;
    }
  return true;
}

// libmilter runs a thread of its own that sigwaits for SIGHUP, SIGTERM and SIGINT and stops the milter on
// any of them: if that thread took a SIGHUP, a reload would stop the gateway. Every other thread blocks the
// three signals; the main thread alone unblocks them with a handler, so the kernel, which offers a
// process-wide signal to the main thread first, hands them to it. The handler only records the signal and
// wakes the loop through a pipe.
int wake_pipe[2] = {-1, -1};
std::atomic<int> got_hup{0};   // SIGHUPs not yet acted on
std::atomic<int> got_stop{0};  // SIGTERM or SIGINT, once one came
static_assert(std::atomic<int>::is_always_lock_free, "used from a signal handler");

extern "C" void on_signal(int sig) {
  const int saved = errno;
  if (sig == SIGHUP) ++got_hup;
  else got_stop = sig;
  const char byte = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_pipe[1], &byte, 1);
  errno = saved;
}

bool take_signals_in_this_thread() {
  if (::pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0) return false;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGHUP, SIGTERM, SIGINT}) {
    if (::sigaction(s, &sa, nullptr) != 0) return false;
    sigaddset(&set, s);
  }
  return pthread_sigmask(SIG_UNBLOCK, &set, nullptr) == 0;
}

// Waits for signals in the calling (main) thread until the milter stops or SIGTERM/SIGINT arrive.
void signal_loop(Reloader& reloader, const std::atomic<bool>& milter_done) {
  if (!take_signals_in_this_thread()) spdlog::error("signals: cannot install handlers: {}", std::strerror(errno));
  const bool watchdog = notify::watchdog_usec() > 0;  // the tick (0.2 s) is far below any WatchdogSec
  while (!milter_done) {
    pollfd p{wake_pipe[0], POLLIN, 0};
    ::poll(&p, 1, 200);
    char drain[64];
    while (::read(wake_pipe[0], drain, sizeof drain) > 0) {
    }
    if (watchdog) notify::watchdog();
    for (int n = got_hup.exchange(0); n > 0; --n) {
      spdlog::info("SIGHUP: reloading policy");
      reloader.request();
    }
    if (int sig = got_stop; sig != 0) {
      spdlog::info("signal {}: stopping", sig);
      notify::stopping();
      milter::stop();
      return;
    }
  }
}

}  // namespace

Reloader::Reloader(PolicyHolder& holder, std::vector<std::string> files)
    : holder_(holder), files_(std::move(files)), worker_([this] { loop(); }) {}

Reloader::~Reloader() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  worker_.join();
}

void Reloader::request() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_ = true;
  }
  cv_.notify_all();
}

std::int64_t Reloader::finished() const {
  std::lock_guard<std::mutex> lock(mu_);
  return finished_;
}

void Reloader::loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return pending_ || stopping_; });
    if (stopping_) return;
    pending_ = false;
    lock.unlock();
    notify::reloading();
    try {
      reload_policy(holder_, files_);
    } catch (const std::exception& e) {  // the old policy stays; the daemon goes on
      spdlog::error("policy not loaded: {}", e.what());
    }
    notify::ready();
    lock.lock();
    ++finished_;
  }
}

std::vector<std::string> refusals(const std::vector<std::string>& files, const policy::Policy& policy) {
  std::vector<std::string> out;
  for (const auto& f : files) {
    try {
      if (YAML::LoadFile(f).IsNull()) out.push_back(f + ": the file is empty (no organisation, no rules)");
    } catch (const YAML::Exception&) {  // compile_files reported it
    }
  }
  if (policy.rules.empty()) out.push_back("the policy has no rules");
  if (policy.organisation.internal_domains.empty())
    out.push_back("organisation.internal_domains is empty: set your organisation's domains (e.g. "
                  "internal_domains: [example.co.jp]) in " + (files.empty() ? std::string("the policy") : files.front()) +
                  "; without them no mail can be told internal or external");
  return out;
}

bool reload_policy(PolicyHolder& holder, const std::vector<std::string>& files) {
  auto result = policy::compile_files(files);
  std::vector<std::string> refused;
  if (result.policy) refused = refusals(files, *result.policy);
  if (!result.policy || !refused.empty()) {
    for (const auto& e : result.errors) spdlog::error("policy: {}", e.str());
    for (const auto& r : refused) spdlog::error("policy refused: {}", r);
    spdlog::error("policy not loaded: {} error(s); {}", result.errors.size() + refused.size(),
                  holder.get() ? "the previous policy stays in force" : "refusing to start");
    util::metrics::count("preflight_policy_reloads_total", {{"result", "failure"}});
    return false;
  }
  for (const auto& w : result.warnings) spdlog::warn("policy: {}", w.str());
  spdlog::info("policy loaded: {} rule(s) from {} file(s)", result.policy->rules.size(), files.size());
  holder.set(result.policy);
  util::metrics::count("preflight_policy_reloads_total", {{"result", "success"}});
  util::metrics::set("preflight_policy_last_reload_success_timestamp_seconds", {}, double(now_seconds()));
  return true;
}

int run(const std::string& config_path) {
  ConfigResult cr = load_config(config_path);
  if (!cr.errors.empty()) {
    for (const auto& e : cr.errors) std::cerr << "preflightd: " << e.str() << "\n";
    return 78;  // EX_CONFIG
  }
  const Config& c = cr.config;
  // Before any thread starts (the log's writer is the first): every thread inherits the block, and only
  // the signal loop takes these signals.
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGHUP, SIGTERM, SIGINT}) sigaddset(&set, s);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // every later thread inherits the block
  if (!setup_logging(c) || !prepare_state_dir(c)) return 73;  // EX_CANTCREAT
  PolicyHolder holder;
  if (!reload_policy(holder, c.policies)) return 78;
  mail::init();
  spdlog::info("preflightd starting; memory allocator: {}", util::allocator_name());

  Services services(c, [&holder] { return holder.get(); });
  if (std::string err = services.start(); !err.empty()) {
    spdlog::critical("{}", err);
    return 73;
  }
  std::atomic<bool> milter_done{false};
  int rc = 0;
  std::thread milter_thread;
  if (has_role(c, "milter")) {
    milter::Hooks hooks = services.milter_hooks();
    hooks.listening = [] { notify::ready(); };
    milter_thread = std::thread([&, hooks = std::move(hooks)] {
      try {
        rc = milter::run(c.milter, [&holder] { return holder.get(); }, hooks);
      } catch (const std::exception& e) {
        spdlog::critical("milter: {}", e.what());
        rc = 71;  // EX_OSERR
      }
      milter_done = true;
    });
  } else {
    notify::ready();  // web or scheduler alone: ready once the services run
  }
  Reloader reloader(holder, c.policies);
  signal_loop(reloader, milter_done);
  if (milter_thread.joinable()) milter_thread.join();
  services.stop();
  spdlog::info("preflightd stopped");
  spdlog::shutdown();  // the writer thread writes what is queued
  return rc;
}

}  // namespace preflight::daemon
