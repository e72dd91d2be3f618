// SpillBuffer: memory up to the limit, then an unlinked file holding every byte.
#include <doctest/doctest.h>
#include <unistd.h>

#include "preflight/util/spill_buffer.hpp"

using preflight::util::SpillBuffer;

TEST_CASE("small content stays in memory") {
  SpillBuffer b(16, "/tmp");
  CHECK(b.append("hello ").empty());
  CHECK(b.append("world").empty());
  CHECK_FALSE(b.spilled());
  CHECK(b.memory() == "hello world");
  CHECK(b.size() == 11);
}

TEST_CASE("content past the limit moves to a file with every byte kept in order") {
  SpillBuffer b(8, "/tmp");
  CHECK(b.append("12345").empty());
  CHECK(b.append("67890").empty());
  CHECK(b.append("abc").empty());
  REQUIRE(b.spilled());
  CHECK(b.memory().empty());
  CHECK(b.size() == 13);
  char buf[32] = {0};
  REQUIRE(pread(b.fd(), buf, sizeof buf, 0) == 13);
  CHECK(std::string(buf) == "1234567890abc");
}

TEST_CASE("a spill directory that does not exist is a clear error") {
  SpillBuffer b(4, "/nonexistent/preflight");
  std::string err = b.append("too long for memory");
  CHECK(err.find("cannot create spill file in /nonexistent/preflight") == 0);
}
