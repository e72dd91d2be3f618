// Signed-in sessions and login rate limiting for the web queue, both in memory (a restart signs
// everybody out, which is acceptable for approvers and keeps secrets out of the database).
// A session id and its CSRF token are 32 random bytes each (hex); ids are looked up by exact match in a
// map keyed by the id's SHA-256, so a lookup leaks no timing about other ids. Thread-safe.
#pragma once
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace preflight::web {

struct Session {
  std::string id;     // the cookie value
  std::string csrf;   // must accompany every state-changing request
  std::string user;   // account name
  std::int64_t expires_at = 0;
};

class SessionStore {
 public:
  explicit SessionStore(std::int64_t idle_seconds = 8 * 3600) : idle_(idle_seconds) {}
  // A new session for `user`; nullopt when the random generator fails.
  std::optional<Session> create(const std::string& user, std::int64_t now);
  // The live session with this id (its idle timer restarts), or nullopt.
  std::optional<Session> find(const std::string& id, std::int64_t now);
  void remove(const std::string& id);
  std::size_t size();

 private:
  std::int64_t idle_;
  std::mutex mu_;
  std::map<std::string, Session> by_hash_;
};

// Counts failed sign-ins per key (an account name, a client address). `max_failures` within `window`
// seconds lock the key for `lock_seconds`; a success clears the account's count.
class LoginLimiter {
 public:
  LoginLimiter(int max_failures = 5, std::int64_t window = 900, std::int64_t lock_seconds = 900)
      : max_(max_failures), window_(window), lock_(lock_seconds) {}
  // Seconds until `key` may try again (0: it may try now).
  std::int64_t locked_for(const std::string& key, std::int64_t now);
  void failure(const std::string& key, std::int64_t now);
  void success(const std::string& key);

 private:
  struct Entry {
    int failures = 0;
    std::int64_t first = 0, locked_until = 0;
  };
  int max_;
  std::int64_t window_, lock_;
  std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

// 32 random bytes as lowercase hex; "" if the random generator fails.
std::string random_token();
// Constant-time equality of two non-empty secrets.
bool same_secret(std::string_view a, std::string_view b);

}  // namespace preflight::web
