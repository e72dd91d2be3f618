// Action-link tokens; see link_token.hpp. Contract: a token is base64url(payload) "." base64url(mac)
// without padding, mac = HMAC-SHA256(key, payload). The payload is
//   "pf1:" netstring(message_id) netstring(actor) netstring(action name) netstring(expiry, decimal)
// where netstring(x) = decimal length ":" x ",". Length prefixes keep one field from bleeding into the
// next whatever bytes the fields contain. A token is valid while now < expires_at.
#include "preflight/web/link_token.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <charconv>
#include <optional>

namespace preflight::web {

namespace {

constexpr std::string_view kVersion = "pf1:";
constexpr std::size_t kMacSize = 32;          // SHA-256
constexpr std::size_t kMacChars = 43;         // base64url of 32 bytes, no padding
constexpr std::size_t kMaxTokenChars = 4096;  // links are URLs; anything longer is not ours
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url_encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out += kAlphabet[(v >> shift) & 63];
  }
  std::size_t rest = in.size() - i;
  if (rest > 0) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    if (rest == 2) out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

int base64url_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// Strict: rejects padding, foreign characters and non-zero unused trailing bits, so each byte string
// has exactly one accepted encoding.
std::optional<std::string> base64url_decode(std::string_view in) {
  if (in.size() % 4 == 1) return std::nullopt;
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = base64url_value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  if ((acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

std::string mac_of(std::string_view payload, std::string_view key) {
  // An empty string_view may have a null data pointer, which HMAC() treats as "no key given".
  static const unsigned char empty = 0;
  const void* key_data = key.empty() ? static_cast<const void*>(&empty) : key.data();
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key_data, static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), out.data(), &len);
  return std::string(reinterpret_cast<const char*>(out.data()), len);
}

void append_netstring(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
  out += ',';
}

std::string payload_of(const LinkClaims& c) {
  std::string p(kVersion);
  append_netstring(p, c.message_id);
  append_netstring(p, c.actor);
  append_netstring(p, link_action_name(c.action));
  append_netstring(p, std::to_string(c.expires_at));
  return p;
}

// Reads one netstring from the front of `in` and advances past it.
std::optional<std::string_view> take_netstring(std::string_view& in) {
  std::size_t colon = in.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 5) return std::nullopt;
  if (colon > 1 && in[0] == '0') return std::nullopt;  // one spelling per length
  std::size_t len = 0;
  auto [end, ec] = std::from_chars(in.data(), in.data() + colon, len);
  if (ec != std::errc() || end != in.data() + colon) return std::nullopt;
  if (in.size() < colon + 1 + len + 1 || in[colon + 1 + len] != ',') return std::nullopt;
  std::string_view field = in.substr(colon + 1, len);
  in.remove_prefix(colon + 1 + len + 1);
  return field;
}

std::optional<LinkAction> action_from_name(std::string_view name) {
  for (LinkAction a : {LinkAction::Approve, LinkAction::Reject, LinkAction::Cancel, LinkAction::ApproveBcc,
                       LinkAction::Download, LinkAction::Fetch, LinkAction::Revoke})
    if (name == link_action_name(a)) return a;
  return std::nullopt;
}

std::optional<LinkClaims> parse_payload(std::string_view in) {
  if (in.substr(0, kVersion.size()) != kVersion) return std::nullopt;
  in.remove_prefix(kVersion.size());
  auto id = take_netstring(in);
  auto actor = take_netstring(in);
  auto action = take_netstring(in);
  auto expiry = take_netstring(in);
  if (!id || !actor || !action || !expiry || !in.empty()) return std::nullopt;
  LinkClaims c;
  c.message_id = std::string(*id);
  c.actor = std::string(*actor);
  auto a = action_from_name(*action);
  if (!a) return std::nullopt;
  c.action = *a;
  auto [end, ec] = std::from_chars(expiry->data(), expiry->data() + expiry->size(), c.expires_at);
  if (ec != std::errc() || end != expiry->data() + expiry->size()) return std::nullopt;
  return c;
}

util::Error error(const char* message) { return util::Error{message}; }

}  // namespace

const char* link_action_name(LinkAction a) {
  switch (a) {
    case LinkAction::Approve: return "approve";
    case LinkAction::Reject: return "reject";
    case LinkAction::Cancel: return "cancel";
    case LinkAction::ApproveBcc: return "approve-bcc";
    case LinkAction::Download: return "download";
    case LinkAction::Fetch: return "fetch";
    case LinkAction::Revoke: return "revoke";
  }
  return "approve";  // unreachable; keeps -Wreturn-type quiet
}

std::string sign_link(const LinkClaims& claims, std::string_view key) {
  std::string payload = payload_of(claims);
  return base64url_encode(payload) + "." + base64url_encode(mac_of(payload, key));
}

util::Result<LinkClaims> verify_link(std::string_view token, std::string_view key, std::int64_t now) {
  if (token.size() > kMaxTokenChars) return error("malformed link");
  std::size_t dot = token.find('.');
  if (dot == std::string_view::npos) return error("malformed link");
  std::string_view mac_text = token.substr(dot + 1);
  auto payload = base64url_decode(token.substr(0, dot));
  if (!payload || payload->empty() || mac_text.size() != kMacChars) return error("malformed link");
  for (char c : mac_text)
    if (base64url_value(c) < 0) return error("malformed link");
  // An empty key would let anyone mint links: fail closed.
  if (key.empty()) return error("invalid signature");
  // Comparing the encoded form means any changed character is a mismatch, even one that only touches
  // the unused low bits of the last character. Both sides are kMacChars long, so only content varies.
  std::string expected = base64url_encode(mac_of(*payload, key));
  static_assert(kMacChars == (kMacSize * 4 + 2) / 3);
  if (expected.size() != mac_text.size() || CRYPTO_memcmp(expected.data(), mac_text.data(), kMacChars) != 0)
    return error("invalid signature");
  auto claims = parse_payload(*payload);
  if (!claims) return error("malformed link");
  if (now >= claims->expires_at) return error("link expired");
  return *claims;
}

}  // namespace preflight::web
