// The milter's listening socket: TCP_NODELAY set on the listener (found among the process's descriptors)
// reaches every accepted connection, which is what keeps Nagle + delayed ACK stalls off the milter
// protocol; and the port of a libmilter socket spec.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>

#include "preflight/milter/listener.hpp"

using namespace preflight;

namespace {

struct Fd {
  int fd;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

int nodelay(int fd) {
  int v = -1;
  socklen_t len = sizeof v;
  REQUIRE(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &len) == 0);
  return v;
}

// A listening loopback socket on a free port; returns the port.
int listen_loopback(int fd) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
  REQUIRE(listen(fd, 4) == 0);
  socklen_t len = sizeof sa;
  REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) == 0);
  return ntohs(sa.sin_port);
}

// Connects to 127.0.0.1:port and returns the accepted socket.
int accept_one(int listener, int port, Fd& client) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sa.sin_port = htons(static_cast<std::uint16_t>(port));
  REQUIRE(connect(client.fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
  return accept(listener, nullptr, nullptr);
}

}  // namespace

TEST_CASE("TCP_NODELAY set on the milter's listener is inherited by the connections it accepts") {
  Fd listener(socket(AF_INET, SOCK_STREAM, 0));
  Fd other(socket(AF_INET, SOCK_STREAM, 0));  // another listener of the process: left alone
  const int port = listen_loopback(listener.fd);
  listen_loopback(other.fd);

  Fd before_client(socket(AF_INET, SOCK_STREAM, 0));
  Fd before(accept_one(listener.fd, port, before_client));
  CHECK(nodelay(before.fd) == 0);  // the default: Nagle on

  CHECK(milter::set_listener_nodelay(port) == 1);
  CHECK(nodelay(listener.fd) == 1);
  CHECK(nodelay(other.fd) == 0);

  Fd client(socket(AF_INET, SOCK_STREAM, 0));
  Fd accepted(accept_one(listener.fd, port, client));
  REQUIRE(accepted.fd >= 0);
  CHECK(nodelay(accepted.fd) == 1);
}

TEST_CASE("no listener on the port: nothing is set") {
  Fd listener(socket(AF_INET, SOCK_STREAM, 0));
  const int port = listen_loopback(listener.fd);
  Fd connected_client(socket(AF_INET, SOCK_STREAM, 0));
  Fd connected(accept_one(listener.fd, port, connected_client));
  // The accepted and the connecting sockets share the port numbers but do not listen.
  close(listener.fd);
  listener.fd = -1;
  CHECK(milter::set_listener_nodelay(port) == 0);
  CHECK(nodelay(connected.fd) == 0);
}

TEST_CASE("the TCP port of a libmilter socket spec") {
  CHECK(milter::tcp_port("inet:8891@127.0.0.1") == 8891);
  CHECK(milter::tcp_port("inet6:8891@::1") == 8891);
  CHECK(milter::tcp_port("inet:10025") == 10025);
  CHECK_FALSE(milter::tcp_port("unix:/var/spool/postfix/preflight/milter.sock"));
  CHECK_FALSE(milter::tcp_port("local:/run/preflight.sock"));
  CHECK_FALSE(milter::tcp_port("inet:@127.0.0.1"));
  CHECK_FALSE(milter::tcp_port("inet:99999@127.0.0.1"));
  CHECK_FALSE(milter::tcp_port("inet:88x1@127.0.0.1"));
}

TEST_CASE("the path of a unix milter socket, made 0660 whatever the umask") {
  CHECK(milter::unix_path("unix:/var/spool/postfix/preflight/milter.sock") == "/var/spool/postfix/preflight/milter.sock");
  CHECK(milter::unix_path("local:/run/p.sock") == "/run/p.sock");
  CHECK_FALSE(milter::unix_path("inet:8891@127.0.0.1"));
  CHECK_FALSE(milter::unix_path("unix:"));

  const std::string path = "/tmp/preflight-listener-test-" + std::to_string(getpid()) + ".sock";
  unlink(path.c_str());
  Fd s(socket(AF_UNIX, SOCK_STREAM, 0));
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path.c_str());
  const mode_t old = umask(0077);
  REQUIRE(bind(s.fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
  umask(old);
  struct stat st {};
  REQUIRE(stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  CHECK(milter::share_unix_socket_with_group(path));
  REQUIRE(stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0660);
  unlink(path.c_str());
  CHECK_FALSE(milter::share_unix_socket_with_group(path));
}
