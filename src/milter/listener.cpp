// See listener.hpp. libmilter keeps its listening descriptor private, so it is found among the process's
// descriptors: a socket that listens (SO_ACCEPTCONN), speaks TCP and is bound to the milter's port.
#include "preflight/milter/listener.hpp"

#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cstdlib>
#include <string_view>

namespace preflight::milter {

namespace {

bool listening_tcp(int fd) {
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) return false;
  int value = 0;
  socklen_t len = sizeof value;
  if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &value, &len) != 0 || !value) return false;
  len = sizeof value;
  return getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &value, &len) == 0 && value == IPPROTO_TCP;
}

int bound_port(int fd) {
  sockaddr_storage sa{};
  socklen_t len = sizeof sa;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0) return -1;
  if (sa.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&sa)->sin_port);
  if (sa.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&sa)->sin6_port);
  return -1;
}

}  // namespace

std::optional<int> tcp_port(const std::string& spec) {
  std::string_view s = spec;
  for (std::string_view prefix : {"inet6:", "inet:"})
    if (s.substr(0, prefix.size()) == prefix) {
      s.remove_prefix(prefix.size());
      s = s.substr(0, s.find('@'));
      if (s.empty() || s.size() > 5 || s.find_first_not_of("0123456789") != std::string_view::npos) return {};
      int port = std::atoi(std::string(s).c_str());
      if (port < 1 || port > 65535) return {};
      return port;
    }
  return {};
}

std::optional<std::string> unix_path(const std::string& spec) {
  for (std::string_view prefix : {"unix:", "local:"})
    if (std::string_view(spec).substr(0, prefix.size()) == prefix && spec.size() > prefix.size())
      return spec.substr(prefix.size());
  return {};
}

bool share_unix_socket_with_group(const std::string& path) { return chmod(path.c_str(), 0660) == 0; }

int set_listener_nodelay(int port) {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return 0;
  int set = 0;
  const int own = dirfd(dir);
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    const int fd = std::atoi(e->d_name);
    if (fd == own || !listening_tcp(fd) || bound_port(fd) != port) continue;
    const int on = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) == 0) ++set;
  }
  closedir(dir);
  return set;
}

}  // namespace preflight::milter
