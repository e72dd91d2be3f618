// Request origin and sign-in tokens; see request_origin.hpp.
#include "request_origin.hpp"

#include <arpa/inet.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>

#include "preflight/util/random.hpp"
#include "preflight/util/strings.hpp"
#include "preflight/web/sessions.hpp"

namespace preflight::web {

namespace {

bool is_ip(const std::string& s) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

std::string hmac_hex(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), mac.data(), &len);
  return util::to_hex(std::string_view(reinterpret_cast<const char*>(mac.data()), len));
}

// A key of its own for sign-in tokens: a token can never pass for an action link or the other way round.
std::string login_key(std::string_view key) { return hmac_hex(key, "preflight sign-in csrf"); }

}  // namespace

std::string client_address(const httplib::Request& req, const std::vector<std::string>& trusted_proxies) {
  auto trusted = [&](const std::string& a) {
    return std::find(trusted_proxies.begin(), trusted_proxies.end(), a) != trusted_proxies.end();
  };
  if (!trusted(req.remote_addr)) return req.remote_addr;
  std::vector<std::string> hops;
  for (std::size_t i = 0; i < req.get_header_value_count("X-Forwarded-For"); ++i)
    for (const auto& part : util::split(req.get_header_value("X-Forwarded-For", i), ','))
      hops.emplace_back(util::trim(part));
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    if (!is_ip(*it)) break;  // a broken entry: nothing left of it can be trusted either
    if (!trusted(*it)) return *it;
  }
  return req.remote_addr;
}

std::string issue_login_token(std::string_view key) {
  std::string nonce = util::random_hex(32);
  return nonce.empty() ? std::string() : nonce + "." + hmac_hex(login_key(key), nonce);
}

bool valid_login_token(std::string_view token, std::string_view key) {
  auto dot = token.find('.');
  if (dot != 64 || token.size() != 64 + 1 + 64) return false;
  return same_secret(token.substr(dot + 1), hmac_hex(login_key(key), token.substr(0, dot)));
}

}  // namespace preflight::web
