// Sessions (in memory, optionally persisted through a SessionBackend) and login rate limiting;
// see sessions.hpp.
#include "preflight/web/sessions.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <array>

#include "preflight/util/random.hpp"
#include "preflight/util/strings.hpp"

namespace preflight::web {

namespace {

std::string digest(const std::string& id) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> d{};
  SHA256(reinterpret_cast<const unsigned char*>(id.data()), id.size(), d.data());
  return util::to_hex(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

}  // namespace

std::string random_token() { return util::random_hex(32); }

bool same_secret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && !a.empty() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::optional<Session> SessionStore::create(const std::string& user, std::int64_t now) {
  Session s{random_token(), random_token(), user, now + idle_, now};
  if (s.id.empty() || s.csrf.empty()) return std::nullopt;
  std::string key = digest(s.id);
  std::lock_guard lock(mu_);
  purge_locked(now);
  Entry& e = by_hash_[key] = Entry{s, 0};
  save(key, e);
  return s;
}

std::optional<Session> SessionStore::find(const std::string& id, std::int64_t now) {
  if (id.size() != 64) return std::nullopt;
  std::string key = digest(id);
  std::lock_guard lock(mu_);
  auto it = by_hash_.find(key);
  if (it == by_hash_.end()) it = load(key, id);
  if (it == by_hash_.end()) return std::nullopt;
  Entry& e = it->second;
  if (e.session.expires_at <= now) {
    by_hash_.erase(it);
    if (backend_) backend_.remove(key);
    return std::nullopt;
  }
  e.session.expires_at = now + idle_;
  if (e.session.expires_at - e.stored_expires_at > kStoreSlack) save(key, e);
  return e.session;
}

void SessionStore::remove(const std::string& id) {
  std::string key = digest(id);
  std::lock_guard lock(mu_);
  by_hash_.erase(key);
  if (backend_) backend_.remove(key);
}

void SessionStore::purge(std::int64_t now) {
  std::lock_guard lock(mu_);
  purge_locked(now);
}

SessionStore::Entries::iterator SessionStore::load(const std::string& key, const std::string& id) {
  if (!backend_) return by_hash_.end();
  auto r = backend_.load(key);
  if (!r || r->key != key) return by_hash_.end();
  Session s{id, r->csrf, r->user, r->expires_at, r->created_at};
  return by_hash_.emplace(key, Entry{std::move(s), r->expires_at}).first;
}

void SessionStore::save(const std::string& key, Entry& e) {
  if (!backend_) return;
  const Session& s = e.session;
  if (backend_.save({key, s.user, s.csrf, s.expires_at, s.created_at})) e.stored_expires_at = s.expires_at;
}

void SessionStore::purge_locked(std::int64_t now) {
  for (auto it = by_hash_.begin(); it != by_hash_.end();)
    it = it->second.session.expires_at <= now ? by_hash_.erase(it) : std::next(it);
  if (backend_) backend_.purge(now);
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
  if (entries_.size() > 100000)  // bounded memory under a flood of invented names; locks stay in force
    for (auto it = entries_.begin(); it != entries_.end();)
      it = it->second.locked_until <= now ? entries_.erase(it) : std::next(it);
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
