// preflightd: loads the configuration and the policy, starts the milter role, and handles signals.
// SIGHUP recompiles the policy and swaps it in atomically (transactions keep the snapshot they started
// with, a shared_ptr that outlives any swap); a broken policy is logged and the old one stays. Reloads run
// one at a time in one worker (Reloader): SIGHUPs that arrive during a reload become one more reload after
// it, and stopping waits for a running reload. SIGTERM/SIGINT stop cleanly.
//
// libmilter's own signal thread treats SIGHUP as "stop". preflightd keeps SIGHUP for reload by
// waiting for signals in the main thread (the thread-group leader, which the kernel prefers for
// process-wide signals) and running libmilter in another thread.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "preflight/policy/policy.hpp"

namespace preflight::daemon {

// The current compiled policy, swapped atomically.
class PolicyHolder {
 public:
  std::shared_ptr<const policy::Policy> get() const { return current_.load(); }
  void set(std::shared_ptr<const policy::Policy> p) { current_.store(std::move(p)); }

 private:
  std::atomic<std::shared_ptr<const policy::Policy>> current_;
};

// What makes a compiled policy unfit to filter mail, as sentences (empty: fit): a file with nothing in it
// (a truncated edit), no rules at all, no organisation.internal_domains (the installed package ships it
// empty: preflightd refuses to start until the administrator sets it).
std::vector<std::string> refusals(const std::vector<std::string>& files, const policy::Policy& policy);

// Compiles `files` and checks them with refusals(); on success swaps them into `holder` and returns true, else logs every error
// (file:line:column) and keeps the old policy.
bool reload_policy(PolicyHolder& holder, const std::vector<std::string>& files);

// Policy reloads on request, serialised in one worker thread: a request during a reload is merged into a
// single reload after it (which reads the files again, so the last edit wins); the destructor lets a
// running reload finish and drops pending ones, so no reload outlives the holder it writes to.
class Reloader {
 public:
  Reloader(PolicyHolder& holder, std::vector<std::string> files);
  ~Reloader();
  Reloader(const Reloader&) = delete;
  Reloader& operator=(const Reloader&) = delete;

  // Asks for a reload; returns at once.
  void request();
  // Reloads that have finished (loaded or refused) so far.
  std::int64_t finished() const;

 private:
  void loop();

  PolicyHolder& holder_;
  const std::vector<std::string> files_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool pending_ = false, stopping_ = false;
  std::int64_t finished_ = 0;
  std::thread worker_;  // last: started once everything above exists
};

// Runs the daemon; returns the process exit code.
int run(const std::string& config_path);

}  // namespace preflight::daemon
