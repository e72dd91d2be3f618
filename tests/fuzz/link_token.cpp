// Fuzz target: action link tokens (web::verify_link). An input whose first byte is even is a token as it
// arrives in a URL; otherwise the rest is a payload, signed here with the key, so that the payload parser
// behind the MAC check is reached too. Whatever verifies must sign back to the very same token.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>
#include <string>

#include "fuzz_input.hpp"
#include "preflight/web/link_token.hpp"

namespace {

constexpr std::string_view kKey = "fuzz-link-key";

std::string base64url(const unsigned char* in, std::size_t n) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < n; ++i) {
    acc = (acc << 8) | in[i];
    for (bits += 8; bits >= 6; bits -= 6) out += kAlphabet[(acc >> (bits - 6)) & 63];
  }
  if (bits > 0) out += kAlphabet[(acc << (6 - bits)) & 63];
  return out;
}

std::string signed_token(std::string_view payload) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), kKey.data(), static_cast<int>(kKey.size()), reinterpret_cast<const unsigned char*>(payload.data()),
       payload.size(), mac, &len);
  return base64url(reinterpret_cast<const unsigned char*>(payload.data()), payload.size()) + "." + base64url(mac, len);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace preflight;
  if (size == 0) return 0;
  const std::string_view rest = fuzz::bytes(data + 1, size - 1);
  const std::string token = (data[0] & 1) ? signed_token(rest) : std::string(rest);
  auto claims = web::verify_link(token, kKey, 1'000'000'000);
  if (claims && web::sign_link(*claims, kKey) != token) std::abort();
  return 0;
}
