// preflightctl: the administrator's command line (see cli.hpp).
#include <iostream>
#include <string>
#include <vector>

#include "preflight/cli/cli.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return preflight::cli::run(args, std::cout, std::cerr);
}
