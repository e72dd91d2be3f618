// Unpredictable bytes from the kernel's CSPRNG (getrandom(2)), for message ids, session ids, CSRF tokens
// and keys. Never a seeded pseudo-random generator: an id that can be guessed is a link that can be forged.
#pragma once
#include <cstddef>
#include <string>

namespace preflight::util {

// `n` random bytes; empty when the kernel cannot supply them (callers treat that as an error).
std::string random_bytes(std::size_t n);
// `n` random bytes as 2n lower-case hex digits; empty on failure.
std::string random_hex(std::size_t n);

}  // namespace preflight::util
