// One message's time and byte budget; see budget.hpp.
#include "preflight/util/budget.hpp"

namespace preflight::util {

Budget::Budget(Clock::time_point work_deadline, Clock::time_point deadline, std::uint64_t bytes)
    : work_deadline_(work_deadline < deadline ? work_deadline : deadline), deadline_(deadline), bytes_(bytes) {}

Budget Budget::for_message(double seconds, std::uint64_t bytes, Clock::time_point start) {
  using Micro = std::chrono::microseconds;
  auto time = std::chrono::duration_cast<Micro>(std::chrono::duration<double>(seconds > 0 ? seconds : 0));
  Budget b(start + time * 3 / 4, start + time, bytes);
  b.start_ = start;
  return b;
}

std::chrono::milliseconds Budget::work_remaining() const {
  auto now = Clock::now();
  if (now >= work_deadline_) return std::chrono::milliseconds::zero();
  if (work_deadline_ == Clock::time_point::max()) return std::chrono::milliseconds::max();
  return std::chrono::duration_cast<std::chrono::milliseconds>(work_deadline_ - now);
}

std::string_view Budget::exhausted() const {
  if (spent_ > bytes_) return "bytes";
  if (Clock::now() >= work_deadline_) return "time";
  return {};
}

bool Budget::spend(std::uint64_t n) {
  spent_ = n > UINT64_MAX - spent_ ? UINT64_MAX : spent_ + n;
  return spent_ <= bytes_;
}

}  // namespace preflight::util
