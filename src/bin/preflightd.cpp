// preflightd: the preflight milter daemon.
#include <cstring>
#include <iostream>
#include <string>

#include "preflight/daemon/daemon.hpp"

int main(int argc, char** argv) {
  std::string config = "/etc/preflight/preflight.yaml";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "-c" || a == "--config") && i + 1 < argc) {
      config = argv[++i];
    } else if (a == "-h" || a == "--help") {
      std::cout << "usage: preflightd [--config FILE]   (default /etc/preflight/preflight.yaml)\n";
      return 0;
    } else {
      std::cerr << "preflightd: unknown argument '" << a << "' (try --help)\n";
      return 64;
    }
  }
  return preflight::daemon::run(config);
}
