// Connecting to the MTA; see smtp_connect.hpp.
#include "smtp_connect.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

namespace preflight::queue::detail {

namespace {

void set_timeouts(int fd, int seconds) {
  timeval tv{seconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

std::string connect_unix(const SmtpTarget& t, int& fd) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (t.socket.size() >= sizeof addr.sun_path) return "socket path too long: " + t.socket;
  std::memcpy(addr.sun_path, t.socket.data(), t.socket.size());
  fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0) set_timeouts(fd, t.timeout_seconds);
  if (fd >= 0 && ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) return {};
  return "cannot connect to unix:" + t.socket + ": " + std::strerror(errno);
}

std::string connect_tcp(const SmtpTarget& t, int& fd) {
  addrinfo hints{}, *res = nullptr;
  hints.ai_socktype = SOCK_STREAM;
  if (int rc = getaddrinfo(t.host.c_str(), std::to_string(t.port).c_str(), &hints, &res); rc != 0)
    return std::string("cannot resolve ") + t.host + ": " + gai_strerror(rc);
  fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0) set_timeouts(fd, t.timeout_seconds);
  bool ok = fd >= 0 && ::connect(fd, res->ai_addr, res->ai_addrlen) == 0;
  freeaddrinfo(res);
  if (!ok) return "cannot connect to " + t.host + ":" + std::to_string(t.port) + ": " + std::strerror(errno);
  return {};
}

}  // namespace

std::string smtp_connect(const SmtpTarget& target, int& fd) {
  fd = -1;
  return target.socket.empty() ? connect_tcp(target, fd) : connect_unix(target, fd);
}

}  // namespace preflight::queue::detail
