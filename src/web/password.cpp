// PBKDF2-HMAC-SHA256 password hashes; see password.hpp.
#include "preflight/web/password.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <charconv>
#include <optional>
#include <vector>

#include "preflight/util/strings.hpp"

namespace preflight::web {

namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kKeyBytes = 32;
constexpr int kMinIterations = 1000;  // refuse encodings that would make verification trivially cheap

std::optional<std::vector<unsigned char>> unhex(std::string_view s) {
  if (s.size() % 2) return std::nullopt;
  std::vector<unsigned char> out;
  for (std::size_t i = 0; i < s.size(); i += 2) {
    unsigned v = 0;
    auto r = std::from_chars(s.data() + i, s.data() + i + 2, v, 16);
    if (r.ec != std::errc() || r.ptr != s.data() + i + 2) return std::nullopt;
    out.push_back(static_cast<unsigned char>(v));
  }
  return out;
}

bool derive(std::string_view password, const unsigned char* salt, std::size_t salt_len, int iterations,
            unsigned char* out, std::size_t out_len) {
  return PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt, static_cast<int>(salt_len),
                           iterations, EVP_sha256(), static_cast<int>(out_len), out) == 1;
}

}  // namespace

util::Result<std::string> hash_password(std::string_view password, int iterations) {
  if (password.empty()) return util::Error{"the password is empty"};
  std::array<unsigned char, kSaltBytes> salt{};
  std::array<unsigned char, kKeyBytes> key{};
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) return util::Error{"no random bytes"};
  if (!derive(password, salt.data(), salt.size(), iterations, key.data(), key.size()))
    return util::Error{"PBKDF2 failed"};
  return "pbkdf2-sha256$" + std::to_string(iterations) + "$" + util::to_hex(std::string_view(reinterpret_cast<const char*>(salt.data()), salt.size())) + "$" +
         util::to_hex(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
}

bool verify_password(std::string_view password, std::string_view encoded) {
  auto parts = util::split(encoded, '$');
  if (parts.size() != 4 || parts[0] != "pbkdf2-sha256") return false;
  int iterations = 0;
  auto r = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), iterations);
  if (r.ec != std::errc() || iterations < kMinIterations) return false;
  auto salt = unhex(parts[2]);
  auto want = unhex(parts[3]);
  if (!salt || !want || want->empty() || password.empty()) return false;
  std::vector<unsigned char> got(want->size());
  if (!derive(password, salt->data(), salt->size(), iterations, got.data(), got.size())) return false;
  return CRYPTO_memcmp(got.data(), want->data(), got.size()) == 0;
}

}  // namespace preflight::web
