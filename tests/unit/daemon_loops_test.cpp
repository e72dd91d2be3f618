// The daemon's long-running loops: the scheduler survives a pass that throws, and policy reloads
// (SIGHUP) are serialised in one worker that never outlives the holder it writes to.
#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <stdexcept>
#include <thread>

#include "preflight/daemon/daemon.hpp"
#include "preflight/policy/compile.hpp"
#include "preflight/queue/scheduler.hpp"

using namespace preflight;
using namespace std::chrono_literals;

namespace {

// Waits (up to 10 s) for `done` to hold; false if it never did.
template <typename F>
bool eventually(F done) {
  auto until = std::chrono::steady_clock::now() + 10s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

std::string policy_with(int rules) {
  std::string p = "organisation:\n  internal_domains: [example.co.jp]\nrules:\n";
  for (int i = 0; i < rules; ++i)
    p += "  - id: r" + std::to_string(i) + "\n    when: \"recipients.external >= " + std::to_string(i + 1) +
         "\"\n    action: bcc\n";
  return p;
}

}  // namespace

TEST_CASE("the scheduler logs a pass that throws and runs the next one") {
  std::atomic<int> calls{0};
  std::promise<void> second_pass;
  queue::Scheduler scheduler(
      [&] {
        int n = ++calls;
        if (n == 1) throw std::runtime_error("database is locked");
        if (n == 2) second_pass.set_value();
      },
      10ms);
  auto ran = second_pass.get_future();
  scheduler.start();
  REQUIRE(ran.wait_for(10s) == std::future_status::ready);
  scheduler.stop();
  CHECK(scheduler.failed_passes() == 1);
  const int after_stop = calls;
  CHECK(after_stop >= 2);
  scheduler.stop();  // idempotent
}

TEST_CASE("policy reloads in a row are serialised and the last edit wins") {
  std::string dir = "/tmp/preflight-reload-test-" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  const std::string file = dir + "/p.yaml";
  std::ofstream(file) << policy_with(1);
  daemon::PolicyHolder holder;
  {
    daemon::Reloader reloader(holder, {file});
    reloader.request();
    reloader.request();  // two SIGHUPs in a row
    REQUIRE(eventually([&] { return holder.get() != nullptr; }));
    auto pinned = holder.get();  // a transaction's snapshot
    REQUIRE(pinned->rules.size() == 1);
    for (int n = 2; n <= 6; ++n) {  // edits and reloads faster than a reload takes
      std::ofstream(file) << policy_with(n);
      reloader.request();
    }
    CHECK(eventually([&] { return holder.get()->rules.size() == 6; }));
    CHECK(pinned->rules.size() == 1);  // the pinned snapshot is still whole
    CHECK(pinned->rules[0].id == "r0");
    std::ofstream(file) << "rules: [ broken";
    const auto finished = reloader.finished();
    reloader.request();
    REQUIRE(eventually([&] { return reloader.finished() > finished; }));
    CHECK(holder.get()->rules.size() == 6);  // a broken file keeps the old policy
    reloader.request();  // still pending or running when the reloader goes: the destructor waits
  }
  CHECK(holder.get()->rules.size() == 6);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a reload refuses an empty file, a policy without rules and one without internal domains") {
  std::string dir = "/tmp/preflight-refuse-test-" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  const std::string file = dir + "/p.yaml";
  std::ofstream(file) << policy_with(2);
  daemon::PolicyHolder holder;
  REQUIRE(daemon::reload_policy(holder, {file}));
  for (const char* text : {"", "# only a comment\n", "organisation:\n  internal_domains: [example.co.jp]\nrules: []\n",
                           "rules:\n  - id: r\n    when: \"recipients.external >= 1\"\n    action: bcc\n"}) {
    std::ofstream(file) << text;
    CHECK_FALSE(daemon::reload_policy(holder, {file}));
    CHECK(holder.get()->rules.size() == 2);  // the old policy stays
  }
  std::ofstream(file) << "organisation:\n  internal_domains: []\nrules: []\n";
  auto refused = daemon::refusals({file}, *policy::compile_files({file}).policy);
  REQUIRE(refused.size() == 2);
  CHECK(refused[1].find("organisation.internal_domains is empty") != std::string::npos);
  CHECK(refused[1].find(file) != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a reload reads the directory file again") {
  std::string dir = "/tmp/preflight-directory-reload-" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/people.csv") << "address,supervisor\ntaro@example.co.jp,boss@example.co.jp\n";
  std::ofstream(dir + "/p.yaml") << "organisation:\n  internal_domains: [example.co.jp]\n  directory: people.csv\n"
                                 << "rules:\n  - {id: r, when: \"recipients.external >= 1\", action: bcc}\n";
  daemon::PolicyHolder holder;
  REQUIRE(daemon::reload_policy(holder, {dir + "/p.yaml"}));
  CHECK(holder.get()->organisation.directory.at("taro@example.co.jp").supervisor == "boss@example.co.jp");
  std::ofstream(dir + "/people.csv") << "address,supervisor\ntaro@example.co.jp,chief@example.co.jp\n";
  REQUIRE(daemon::reload_policy(holder, {dir + "/p.yaml"}));
  CHECK(holder.get()->organisation.directory.at("taro@example.co.jp").supervisor == "chief@example.co.jp");
  std::ofstream(dir + "/people.csv") << "address,boss\n";  // an unknown column: refused, the old one stays
  CHECK_FALSE(daemon::reload_policy(holder, {dir + "/p.yaml"}));
  CHECK(holder.get()->organisation.directory.at("taro@example.co.jp").supervisor == "chief@example.co.jp");
  std::filesystem::remove_all(dir);
}
