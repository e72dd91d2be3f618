// Signed-in sessions and login rate limiting for the web queue.
// A session id and its CSRF token are 32 random bytes each (hex); ids are looked up by exact match in a
// map keyed by the id's SHA-256, so a lookup leaks no timing about other ids. Thread-safe.
// Sessions live in memory and, when the daemon hands in a SessionBackend, also in the store, so that a
// restart of preflightd signs nobody out. The backend only ever sees the SHA-256 of an id, never the id
// (the cookie value): reading the database does not let anyone sign in. Without a backend sessions are
// in memory only and a restart signs everybody out. Login rate limits are always in memory only.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

namespace preflight::web {

struct Session {
  std::string id;     // the cookie value
  std::string csrf;   // must accompany every state-changing request
  std::string user;   // account name
  std::int64_t expires_at = 0;
  std::int64_t created_at = 0;
};

// A session as the backend keeps it: everything but the id, under the id's SHA-256.
struct SessionRecord {
  std::string key;   // lowercase hex SHA-256 of the session id
  std::string user;
  std::string csrf;  // useless without the id, which is never stored
  std::int64_t expires_at = 0;
  std::int64_t created_at = 0;
};

// Where sessions persist (the daemon fills it from the store). Every callback must be thread-safe and
// report failures itself (the web module does not log): `save` returns false when nothing was written,
// `load` returns nullopt for an absent row and for a failure alike, so a broken store signs nobody in.
// All four or none: a backend with a missing callback counts as none.
struct SessionBackend {
  std::function<bool(const SessionRecord&)> save;  // inserts or replaces by key
  std::function<std::optional<SessionRecord>(const std::string& key)> load;
  std::function<void(const std::string& key)> remove;
  std::function<void(std::int64_t now)> purge;  // deletes records that expired at or before `now`
  explicit operator bool() const { return save && load && remove && purge; }
};

class SessionStore {
 public:
  // Each use restarts a session's idle timer in memory; the backend's copy of the expiry is rewritten only
  // when it has fallen more than this many seconds behind, so busy pages cost no database write per
  // request. After a restart a session may therefore end up to this much earlier than it would have.
  static constexpr std::int64_t kStoreSlack = 60;

  explicit SessionStore(std::int64_t idle_seconds = 8 * 3600, SessionBackend backend = {})
      : idle_(idle_seconds), backend_(std::move(backend)) {}
  // A new session for `user`; nullopt when the random generator fails. A session the backend fails to
  // save still works until a restart. Drops expired sessions, in memory and in the backend.
  std::optional<Session> create(const std::string& user, std::int64_t now);
  // The live session with this id (its idle timer restarts), from memory or else from the backend; nullopt
  // when absent or expired (an expired one is removed).
  std::optional<Session> find(const std::string& id, std::int64_t now);
  // Ends the session, in memory and in the backend (sign-out).
  void remove(const std::string& id);
  // Drops expired sessions, in memory and in the backend (at start; create() does it too).
  void purge(std::int64_t now);
  std::size_t size();  // sessions in memory

 private:
  struct Entry {
    Session session;
    std::int64_t stored_expires_at = 0;  // the expiry the backend holds
  };
  using Entries = std::map<std::string, Entry>;

  // The session under `key` from the backend, added to memory; end() when there is none. Needs mu_.
  Entries::iterator load(const std::string& key, const std::string& id);
  // Writes the entry to the backend and notes the expiry written. Needs mu_.
  void save(const std::string& key, Entry& e);
  void purge_locked(std::int64_t now);

  std::int64_t idle_;
  SessionBackend backend_;
  std::mutex mu_;
  Entries by_hash_;
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
