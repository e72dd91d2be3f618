// smtp_probe; see smtp_client.hpp.
#include <sys/socket.h>
#include <unistd.h>

#include "preflight/queue/smtp_client.hpp"
#include "smtp_connect.hpp"

namespace preflight::queue {

util::Result<std::string> smtp_probe(const SmtpTarget& target) {
  int fd = -1;
  std::string err = detail::smtp_connect(target, fd);
  std::string line;
  char c = 0;
  while (err.empty() && line.size() < 512 && ::recv(fd, &c, 1, 0) == 1 && c != '\n') line += c;
  if (err.empty() && fd >= 0) (void)!::send(fd, "QUIT\r\n", 6, MSG_NOSIGNAL);
  if (fd >= 0) ::close(fd);
  if (!err.empty()) return util::Error{err};
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.rfind("220", 0) != 0) return util::Error{"greeting: " + (line.empty() ? "none" : line)};
  return line;
}

}  // namespace preflight::queue
