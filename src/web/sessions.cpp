// In-memory sessions and login rate limiting; see sessions.hpp.
#include "preflight/web/sessions.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>

#include "preflight/util/strings.hpp"

namespace preflight::web {

namespace {

std::string digest(const std::string& id) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> d{};
  SHA256(reinterpret_cast<const unsigned char*>(id.data()), id.size(), d.data());
  return util::to_hex(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

}  // namespace

std::string random_token() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) return {};
  return util::to_hex(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

bool same_secret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && !a.empty() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::optional<Session> SessionStore::create(const std::string& user, std::int64_t now) {
  Session s{random_token(), random_token(), user, now + idle_};
  if (s.id.empty() || s.csrf.empty()) return std::nullopt;
  std::lock_guard lock(mu_);
  for (auto it = by_hash_.begin(); it != by_hash_.end();)  // drop expired sessions as we go
    it = it->second.expires_at <= now ? by_hash_.erase(it) : std::next(it);
  by_hash_[digest(s.id)] = s;
  return s;
}

std::optional<Session> SessionStore::find(const std::string& id, std::int64_t now) {
  if (id.size() != 64) return std::nullopt;
  std::lock_guard lock(mu_);
  auto it = by_hash_.find(digest(id));
  if (it == by_hash_.end()) return std::nullopt;
  if (it->second.expires_at <= now) {
    by_hash_.erase(it);
    return std::nullopt;
  }
  it->second.expires_at = now + idle_;
  return it->second;
}

void SessionStore::remove(const std::string& id) {
  std::lock_guard lock(mu_);
  by_hash_.erase(digest(id));
}

std::size_t SessionStore::size() {
  std::lock_guard lock(mu_);
  return by_hash_.size();
}

std::int64_t LoginLimiter::locked_for(const std::string& key, std::int64_t now) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.locked_until <= now) return 0;
  return it->second.locked_until - now;
}

void LoginLimiter::failure(const std::string& key, std::int64_t now) {
  std::lock_guard lock(mu_);
  if (entries_.size() > 100000) entries_.clear();  // bounded memory under a flood of invented names
  Entry& e = entries_[key];
  if (e.first == 0 || now - e.first > window_) e = Entry{0, now, e.locked_until};
  if (++e.failures >= max_) {
    e.locked_until = now + lock_;
    e.failures = 0;
    e.first = 0;
  }
}

void LoginLimiter::success(const std::string& key) {
  std::lock_guard lock(mu_);
  entries_.erase(key);
}

}  // namespace preflight::web
