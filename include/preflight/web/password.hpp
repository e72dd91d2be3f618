// Password hashing for the web role's local accounts: PBKDF2-HMAC-SHA256 with a random 16-byte salt and
// a high iteration count (slow on purpose, so that a stolen database is expensive to attack).
// Encoded as "pbkdf2-sha256$ITERATIONS$SALT_HEX$HASH_HEX"; verification reads the count from the encoding,
// so raising the default later keeps old hashes valid. Thread-safe, no state.
#pragma once
#include <string>
#include <string_view>

#include "preflight/util/result.hpp"

namespace preflight::web {

constexpr int kPasswordIterations = 210000;

// Errors: an empty password, or a failing random generator.
util::Result<std::string> hash_password(std::string_view password, int iterations = kPasswordIterations);

// Constant-time comparison of the derived key; false for any malformed encoding.
bool verify_password(std::string_view password, std::string_view encoded);

}  // namespace preflight::web
