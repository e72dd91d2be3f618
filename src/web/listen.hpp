// Binds an httplib server and runs its accept loop in a thread of its own. Internal to the web module.
#pragma once
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "preflight/util/result.hpp"

namespace preflight::web {

// Binds host:port (0: any free port) and starts `thread` serving; returns the bound port. Returns once the
// accept loop runs: svr.stop() does nothing before that, so a stop() right after would hang in join().
inline util::Result<int> listen_in_thread(httplib::Server& svr, const std::string& host, int port,
                                          std::thread& thread, std::atomic<bool>& returned) {
  const int wanted = port;
  if (port == 0) port = svr.bind_to_any_port(host);
  else if (!svr.bind_to_port(host, port)) port = -1;
  if (port <= 0) return util::Error{"cannot bind " + host + ":" + std::to_string(wanted)};
  returned = false;
  thread = std::thread([&svr, &returned] {
    svr.listen_after_bind();
    returned = true;
  });
  while (!svr.is_running() && !returned) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return port;
}

}  // namespace preflight::web
