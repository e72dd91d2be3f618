// util::read_file: a regular file in one read, a pipe as a stream, a missing file as a clear error.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <thread>

#include "preflight/util/read_file.hpp"

using namespace preflight;

TEST_CASE("read_file gives a file's bytes, a pipe's bytes, and names what it could not read") {
  const std::string dir = "/tmp/preflight-read-file-test-" + std::to_string(getpid());
  ::mkdir(dir.c_str(), 0700);
  const std::string bytes = std::string("From: a@example.co.jp\r\n\r\n\0\xff", 27) + std::string(100000, 'x');
  {
    std::ofstream out(dir + "/mail.eml", std::ios::binary);
    out << bytes;
  }
  auto whole = util::read_file(dir + "/mail.eml");
  REQUIRE(whole.ok());
  CHECK(*whole == bytes);

  const std::string fifo = dir + "/pipe";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::thread writer([&] {
    std::ofstream out(fifo, std::ios::binary);
    out << bytes;
  });
  auto piped = util::read_file(fifo);
  writer.join();
  REQUIRE(piped.ok());
  CHECK(*piped == bytes);

  auto missing = util::read_file(dir + "/none.eml");
  CHECK_FALSE(missing.ok());
  CHECK(missing.error() == "cannot read");
  ::unlink((dir + "/mail.eml").c_str());
  ::unlink(fifo.c_str());
  ::rmdir(dir.c_str());
}
