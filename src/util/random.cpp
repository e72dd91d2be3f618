// Kernel randomness; see random.hpp.
#include "preflight/util/random.hpp"

#include <sys/random.h>

#include <cerrno>

#include "preflight/util/strings.hpp"

namespace preflight::util {

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  std::size_t got = 0;
  while (got < n) {
    ssize_t r = ::getrandom(out.data() + got, n - got, 0);  // blocks only before the pool is first seeded
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return {};
    got += static_cast<std::size_t>(r);
  }
  return out;
}

std::string random_hex(std::size_t n) {
  std::string bytes = random_bytes(n);
  return bytes.size() == n ? to_hex(bytes) : std::string();
}

}  // namespace preflight::util
