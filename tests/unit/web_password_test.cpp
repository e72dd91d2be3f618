// Password hashes: PBKDF2-HMAC-SHA256 with a random salt and at least 200,000 iterations by default;
// verification accepts only the right password and refuses malformed or weakened encodings.
#include <doctest/doctest.h>

#include "preflight/util/strings.hpp"
#include "preflight/web/password.hpp"

using namespace preflight::web;

TEST_CASE("password: the default hash is slow, salted and verifies") {
  auto h = hash_password("correct horse battery");
  REQUIRE(h.ok());
  auto parts = preflight::util::split(*h, '$');
  REQUIRE(parts.size() == 4);
  CHECK(parts[0] == "pbkdf2-sha256");
  CHECK(std::stoi(parts[1]) >= 200000);
  CHECK(parts[2].size() == 32);  // 16 bytes of salt
  CHECK(parts[3].size() == 64);  // 32 bytes of key
  CHECK(verify_password("correct horse battery", *h));
  CHECK_FALSE(verify_password("correct horse batterY", *h));
  CHECK_FALSE(verify_password("", *h));
}

TEST_CASE("password: two hashes of one password differ (random salt); both verify") {
  auto a = hash_password("パスワード", 1000);
  auto b = hash_password("パスワード", 1000);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(*a != *b);
  CHECK(verify_password("パスワード", *a));
  CHECK(verify_password("パスワード", *b));
}

TEST_CASE("password: malformed and weakened encodings never verify") {
  auto h = hash_password("secret-1", 1000);
  REQUIRE(h.ok());
  std::string weakened = *h;
  weakened.replace(weakened.find("$1000$"), 6, "$1$");
  CHECK_FALSE(verify_password("secret-1", weakened));
  for (const char* bad : {"", "plain", "pbkdf2-sha256$1000$zz$zz", "md5$1000$00$00", "pbkdf2-sha256$x$00$00",
                          "pbkdf2-sha256$1000$0011$"})
    CHECK_FALSE(verify_password("secret-1", bad));
  CHECK_FALSE(hash_password("").ok());
}
