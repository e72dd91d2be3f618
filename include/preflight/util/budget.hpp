// util::Budget: what one message may still spend — time on one clock (std::chrono::steady_clock, never
// the wall clock, which can jump) and bytes — shared by parsing, inspection, detection and look-ups.
// Two instants: work (parsing, inspecting, detecting, looking up) must stop at `work_deadline`; the
// answer, a stored hold included, is due by `deadline`. The gap is kept for storing and answering, so a
// message that ran out of work time can still be held before the MTA gives up waiting.
// Not thread-safe: one per message, used by the thread that handles it.
#pragma once
#include <chrono>
#include <cstdint>
#include <string_view>

namespace preflight::util {

class Budget {
 public:
  using Clock = std::chrono::steady_clock;

  Budget() = default;  // unlimited
  Budget(Clock::time_point work_deadline, Clock::time_point deadline, std::uint64_t bytes);
  // The budget of a message whose answer is due `seconds` after `start`: work gets the first three quarters.
  static Budget for_message(double seconds, std::uint64_t bytes, Clock::time_point start = Clock::now());

  Clock::time_point start() const { return start_; }  // when the budget was made (for_message: `start`)
  Clock::time_point work_deadline() const { return work_deadline_; }
  Clock::time_point deadline() const { return deadline_; }
  // Time left for work (zero once it is over).
  std::chrono::milliseconds work_remaining() const;
  // Work must stop: the work deadline passed, or the bytes are spent.
  bool expired() const { return !exhausted().empty(); }
  // "" while time and bytes remain, else "time" or "bytes".
  std::string_view exhausted() const;
  // The answer's deadline passed: nothing may be stored for this message any more.
  bool past_deadline() const { return Clock::now() >= deadline_; }
  // Counts `n` bytes handled; false once more than the budget's bytes have been counted.
  bool spend(std::uint64_t n);
  std::uint64_t bytes_left() const { return spent_ < bytes_ ? bytes_ - spent_ : 0; }

 private:
  Clock::time_point start_ = Clock::now();
  Clock::time_point work_deadline_ = Clock::time_point::max();
  Clock::time_point deadline_ = Clock::time_point::max();
  std::uint64_t bytes_ = UINT64_MAX;
  std::uint64_t spent_ = 0;
};

}  // namespace preflight::util
