// The milter's listening socket, which libmilter opens and never hands out.
//
// Postfix writes several small milter packets without waiting for a reply in between (the header change
// and the reply at end of message go the other way), so with Nagle's algorithm on, each such pair waits for
// the peer's delayed ACK: about 40 ms per stall on Linux loopback. TCP_NODELAY on the listening socket is
// inherited by every connection accept() returns (Linux copies the option to the new socket), so setting it
// once on the listener covers every MTA connection.
#pragma once
#include <optional>
#include <string>

namespace preflight::milter {

// The TCP port of a libmilter connection spec ("inet:8891@127.0.0.1", "inet6:8891@::1"); nullopt for
// "unix:" / "local:" sockets or a spec without a port.
std::optional<int> tcp_port(const std::string& spec);

// The path of a "unix:PATH" / "local:PATH" spec; nullopt for inet sockets.
std::optional<std::string> unix_path(const std::string& spec);

// Makes the unix socket at `path` 0660, whatever the umask: the owner and its group (Postfix's, when the
// socket's directory is setgid postfix) may connect, nobody else. Returns false (errno set) on failure.
bool share_unix_socket_with_group(const std::string& path);

// Sets TCP_NODELAY on every listening TCP socket of this process bound to `port`, found among the
// process's open descriptors. Returns how many it set (0: none found).
int set_listener_nodelay(int port);

}  // namespace preflight::milter
