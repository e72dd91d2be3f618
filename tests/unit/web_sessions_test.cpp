// Sessions (random ids and CSRF tokens, idle expiry, sign-out) and login rate limiting.
#include <doctest/doctest.h>

#include <set>

#include "preflight/web/sessions.hpp"

using namespace preflight::web;

TEST_CASE("sessions: random ids and CSRF tokens; found until idle too long; removed on sign-out") {
  SessionStore store(100);
  auto a = store.create("boss", 1000);
  auto b = store.create("boss", 1000);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->id.size() == 64);
  CHECK(a->csrf.size() == 64);
  CHECK(a->id != b->id);
  CHECK(a->csrf != b->csrf);
  CHECK(a->id != a->csrf);
  auto found = store.find(a->id, 1050);
  REQUIRE(found);
  CHECK(found->user == "boss");
  CHECK(found->csrf == a->csrf);
  CHECK(store.find(a->id, 1140));  // each use restarts the idle timer
  CHECK_FALSE(store.find(a->id, 1300));
  CHECK_FALSE(store.find("", 1000));
  CHECK_FALSE(store.find(std::string(64, 'a'), 1000));
  store.remove(b->id);
  CHECK_FALSE(store.find(b->id, 1000));
}

TEST_CASE("sessions: expired sessions are dropped when new ones are made") {
  SessionStore store(10);
  for (int i = 0; i < 5; ++i) store.create("u", 0);
  CHECK(store.size() == 5);
  store.create("u", 100);
  CHECK(store.size() == 1);
}

TEST_CASE("csrf: secrets compare equal only when identical and non-empty") {
  std::string t = random_token();
  CHECK(t.size() == 64);
  CHECK(same_secret(t, t));
  CHECK_FALSE(same_secret(t, random_token()));
  CHECK_FALSE(same_secret("", ""));
  CHECK_FALSE(same_secret(t, t.substr(1)));
}

TEST_CASE("rate limit: five failures lock the key; the lock ends; success clears the count") {
  LoginLimiter limiter(5, 900, 600);
  for (int i = 0; i < 4; ++i) limiter.failure("user:boss", 1000 + i);
  CHECK(limiter.locked_for("user:boss", 1004) == 0);
  limiter.failure("user:boss", 1005);
  CHECK(limiter.locked_for("user:boss", 1005) == 600);
  CHECK(limiter.locked_for("user:other", 1005) == 0);
  CHECK(limiter.locked_for("user:boss", 1605) == 0);
  for (int i = 0; i < 4; ++i) limiter.failure("user:x", 2000);
  limiter.success("user:x");
  limiter.failure("user:x", 2001);
  CHECK(limiter.locked_for("user:x", 2001) == 0);
}

TEST_CASE("rate limit: failures spread wider than the window do not lock") {
  LoginLimiter limiter(3, 60, 600);
  for (int i = 0; i < 10; ++i) limiter.failure("ip:1", i * 100);
  CHECK(limiter.locked_for("ip:1", 1000) == 0);
}

TEST_CASE("rate limit: a flood of invented names does not lift a real lock") {
  LoginLimiter limiter(5, 900, 600);
  for (int i = 0; i < 5; ++i) limiter.failure("user:boss", 1000);
  REQUIRE(limiter.locked_for("user:boss", 1001) > 0);
  for (int i = 0; i < 100002; ++i) limiter.failure("user:invented" + std::to_string(i), 1001);
  CHECK(limiter.locked_for("user:boss", 1002) > 0);
}
