// The scheduler thread: runs one pass (Queue::tick) right away and then every interval until stopped. A
// pass that throws is logged and the next pass runs as usual, so one bad row or a failing step never
// stops releases, expiry or notices for good.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

namespace preflight::queue {

// Seconds an unsent notice is retried; older unsent ones are given up (kept for the record).
inline constexpr std::int64_t kNoticeLifetime = 7 * 86400;

class Scheduler {
 public:
  using Pass = std::function<void()>;
  Scheduler(Pass pass, std::chrono::milliseconds interval);
  ~Scheduler() { stop(); }
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void start();
  // Wakes the thread and waits for the pass in progress (if any) to end. Idempotent.
  void stop();
  // Passes that ended with an exception so far.
  std::int64_t failed_passes() const;

 private:
  void loop();

  Pass pass_;
  std::chrono::milliseconds interval_;
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::int64_t failed_ = 0;
};

}  // namespace preflight::queue
