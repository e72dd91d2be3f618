// Minimal blocking SMTP client; see smtp_client.hpp.
#include "preflight/queue/smtp_client.hpp"

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
  std::string open(const SmtpTarget& t) {
    addrinfo hints{}, *res = nullptr;
    hints.ai_socktype = SOCK_STREAM;
    if (int rc = getaddrinfo(t.host.c_str(), std::to_string(t.port).c_str(), &hints, &res); rc != 0)
      return std::string("cannot resolve ") + t.host + ": " + gai_strerror(rc);
    fd_ = ::socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval tv{t.timeout_seconds, 0};
    if (fd_ >= 0) {
      setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    }
    bool ok = fd_ >= 0 && ::connect(fd_, res->ai_addr, res->ai_addrlen) == 0;
    freeaddrinfo(res);
    if (!ok) return "cannot connect to " + t.host + ":" + std::to_string(t.port) + ": " + std::strerror(errno);
    return {};
  }
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
      if (auto r = take_smtp_reply(buf_)) {
        text = std::move(r->text);
        return r->code;
      }
      char chunk[4096];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0 || buf_.size() > 65536) return 0;
      buf_.append(chunk, static_cast<std::size_t>(n));
    }
  }

 private:
  int fd_ = -1;
  std::string buf_;
};

util::Error step_error(const std::string& step, int code, const std::string& text) {
  return util::Error{step + " failed: " + (code ? std::to_string(code) + " " + text : "connection lost")};
}

int reply_code(std::string_view line) {
  if (line.size() < 3) return 0;
  int code = 0;
  for (char c : line.substr(0, 3)) {
    if (c < '0' || c > '9') return 0;
    code = code * 10 + (c - '0');
  }
  return code;
}

}  // namespace

std::optional<SmtpReply> take_smtp_reply(std::string& received) {
  SmtpReply r;
  std::size_t at = 0;
  while (true) {
    const std::size_t eol = received.find("\r\n", at);
    if (eol == std::string::npos) return std::nullopt;
    const std::string_view line = std::string_view(received).substr(at, eol - at);
    r.text.append(line).append(" ");
    at = eol + 2;
    if (line.size() < 4 || line[3] != '-') {
      r.code = reply_code(line);
      received.erase(0, at);
      return r;
    }
  }
}

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
