// preflightctl queue: bad arguments are refused before the store is touched.
#include <doctest/doctest.h>

#include <sstream>

#include "preflight/cli/cli.hpp"

using namespace preflight;

TEST_CASE("queue purge refuses an --older-than that is not a whole number of days") {
  std::ostringstream out, err;
  CHECK(cli::run({"queue", "purge", "--older-than", "3O", "--config", "/nonexistent.yaml"}, out, err) == 64);
  CHECK(err.str().find("--older-than takes a whole number of days, not '3O'") != std::string::npos);
  std::ostringstream out2, err2;
  CHECK(cli::run({"queue", "purge", "--older-than", "-1", "--config", "/nonexistent.yaml"}, out2, err2) == 64);
}

TEST_CASE("queue --bcc belongs to approve only") {
  std::ostringstream out, err;
  CHECK(cli::run({"queue", "reject", "X1", "--bcc", "--config", "/nonexistent.yaml"}, out, err) == 64);
  CHECK(err.str().find("--bcc belongs to approve") != std::string::npos);
}
