// Minimal blocking SMTP client; see smtp_client.hpp.
#include "preflight/queue/smtp_client.hpp"

#include "smtp_connect.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

namespace preflight::queue {

namespace {

class Connection {
 public:
  ~Connection() {
    if (fd_ >= 0) ::close(fd_);
  }
  std::string open(const SmtpTarget& t) { return detail::smtp_connect(t, fd_); }
  bool send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  // Reads one (possibly multi-line) reply; returns its code, 0 on a broken connection.
  int reply(std::string& text) {
    text.clear();
    while (true) {
      std::string line;
      if (!read_line(line)) return 0;
      text += line + " ";
      if (line.size() < 4 || line[3] != '-') return line.size() >= 3 ? std::atoi(line.substr(0, 3).c_str()) : 0;
    }
  }

 private:
  bool read_line(std::string& line) {
    while (true) {
      auto eol = buf_.find("\r\n");
      if (eol != std::string::npos) {
        line = buf_.substr(0, eol);
        buf_.erase(0, eol + 2);
        return true;
      }
      char chunk[4096];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0 || buf_.size() > 65536) return false;
      buf_.append(chunk, static_cast<std::size_t>(n));
    }
  }
  int fd_ = -1;
  std::string buf_;
};

util::Error step_error(const std::string& step, int code, const std::string& text) {
  return util::Error{step + " failed: " + (code ? std::to_string(code) + " " + text : "connection lost")};
}

}  // namespace

std::string smtp_data(std::string_view message) {
  std::string out;
  out.reserve(message.size() + message.size() / 50 + 8);
  bool line_start = true;
  for (std::size_t i = 0; i < message.size(); ++i) {
    char c = message[i];
    if (line_start && c == '.') out += '.';
    if (c == '\n' && (out.empty() || out.back() != '\r')) out += '\r';
    if (c == '\r' && (i + 1 >= message.size() || message[i + 1] != '\n')) {
      out += "\r\n";  // a bare CR ends a line too
      line_start = true;
      continue;
    }
    out += c;
    line_start = c == '\n';
  }
  if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
  return out + ".\r\n";
}

util::Result<bool> smtp_send(const SmtpTarget& t, const std::string& sender, const std::vector<std::string>& recipients,
                             std::string_view message) {
  Connection c;
  if (std::string err = c.open(t); !err.empty()) return util::Error{err};
  std::string text;
  int code = c.reply(text);
  if (code != 220) return step_error("greeting", code, text);
  auto command = [&](const std::string& line, int want, const char* step) -> std::optional<util::Error> {
    if (!c.send(line + "\r\n")) return util::Error{std::string(step) + " failed: cannot send"};
    int got = c.reply(text);
    if (got != want) return step_error(step, got, text);
    return std::nullopt;
  };
  if (auto e = command("EHLO " + t.helo, 250, "EHLO")) return *e;
  if (auto e = command("MAIL FROM:<" + sender + ">", 250, "MAIL FROM")) return *e;
  for (const auto& r : recipients)
    if (auto e = command("RCPT TO:<" + r + ">", 250, ("RCPT TO " + r).c_str())) return *e;
  if (auto e = command("DATA", 354, "DATA")) return *e;
  if (!c.send(smtp_data(message))) return util::Error{"sending the message failed"};
  code = c.reply(text);
  if (code != 250) return step_error("end of DATA", code, text);
  c.send("QUIT\r\n");
  return true;
}

}  // namespace preflight::queue
