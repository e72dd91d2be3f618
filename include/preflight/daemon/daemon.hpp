// preflightd: loads the configuration and the policy, starts the milter role, and handles signals.
// SIGHUP recompiles the policy and swaps it in atomically (transactions keep the snapshot they started
// with); a broken policy is logged and the old one stays. SIGTERM/SIGINT stop cleanly.
//
// libmilter's own signal thread treats SIGHUP as "stop". preflightd keeps SIGHUP for reload by
// waiting for signals in the main thread (the thread-group leader, which the kernel prefers for
// process-wide signals) and running libmilter in another thread.
#pragma once
#include <atomic>
#include <memory>
#include <string>
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

// Compiles `files`; on success swaps them into `holder` and returns true, else logs every error
// (file:line:column) and keeps the old policy.
bool reload_policy(PolicyHolder& holder, const std::vector<std::string>& files);

// Runs the daemon; returns the process exit code.
int run(const std::string& config_path);

}  // namespace preflight::daemon
