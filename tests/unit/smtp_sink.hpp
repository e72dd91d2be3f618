// A minimal SMTP server on a free loopback port for tests that re-inject mail: it accepts every
// command, keeps each message's DATA, and answers one connection after another until destroyed.
// A Script makes it advertise EHLO extensions, refuse chosen recipients, or answer 452 past a number of
// recipients per transaction (as Postfix's smtpd_recipient_limit does); every transaction's MAIL FROM and
// RCPT TO lines are kept with its DATA.
#pragma once
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

class SmtpSink {
 public:
  struct Script {
    std::vector<std::string> extensions;                              // EHLO keywords after the greeting line
    std::size_t recipient_limit = 0;                                  // 452 past this many (0: no limit)
    std::function<std::string(const std::string& address)> rcpt_reply;  // "" or absent: 250
  };
  struct Kept {
    std::string mail_from;            // the whole MAIL FROM line
    std::vector<std::string> rcpts;   // the accepted RCPT TO lines
    std::string data;
  };

  SmtpSink() : SmtpSink(Script{}) {}
  explicit SmtpSink(Script script) : script_(std::move(script)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), len) != 0 || ::listen(fd_, 4) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error("smtp sink: cannot listen on loopback");
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~SmtpSink() {
    stopping_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  int port() const { return port_; }
  std::vector<std::string> messages() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> out;
    for (const auto& k : kept_) out.push_back(k.data);
    return out;
  }
  std::vector<Kept> transactions() {
    std::lock_guard<std::mutex> lock(mu_);
    return kept_;
  }

 private:
  void serve() {
    while (!stopping_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      converse(c);
      ::close(c);
    }
  }
  static void say(int c, const std::string& s) { (void)!::write(c, s.data(), s.size()); }
  // Reads CRLF lines; in DATA until the lone dot, then keeps the message.
  void converse(int c) {
    say(c, "220 sink\r\n");
    std::string buf;
    Kept tx;
    bool in_data = false;
    char chunk[4096];
    for (ssize_t n; (n = ::read(c, chunk, sizeof chunk)) > 0;) {
      buf.append(chunk, static_cast<std::size_t>(n));
      for (std::size_t eol; (eol = buf.find("\r\n")) != std::string::npos; buf.erase(0, eol + 2)) {
        std::string line = buf.substr(0, eol);
        if (in_data && line == ".") {
          in_data = false;
          std::lock_guard<std::mutex> lock(mu_);
          kept_.push_back(tx);
          say(c, "250 kept\r\n");
        } else if (in_data) {
          tx.data += (line.rfind("..", 0) == 0 ? line.substr(1) : line) + "\r\n";
        } else if (line == "DATA") {
          in_data = true;
          tx.data.clear();
          say(c, "354 go on\r\n");
        } else if (line == "QUIT") {
          return say(c, "221 bye\r\n");
        } else if (line.rfind("EHLO", 0) == 0) {
          std::string reply = "250" + std::string(script_.extensions.empty() ? " " : "-") + "sink\r\n";
          for (std::size_t i = 0; i < script_.extensions.size(); ++i)
            reply += "250" + std::string(i + 1 < script_.extensions.size() ? "-" : " ") + script_.extensions[i] + "\r\n";
          say(c, reply);
        } else if (line.rfind("MAIL FROM:", 0) == 0) {
          tx = Kept{line, {}, {}};
          say(c, "250 ok\r\n");
        } else if (line.rfind("RCPT TO:", 0) == 0) {
          say(c, rcpt(line, tx) + "\r\n");
        } else {
          say(c, "250 ok\r\n");
        }
      }
    }
  }
  std::string rcpt(const std::string& line, Kept& tx) {
    std::string address = line.substr(line.find('<') + 1, line.find('>') - line.find('<') - 1);
    if (script_.recipient_limit && tx.rcpts.size() >= script_.recipient_limit) return "452 4.5.3 too many recipients";
    std::string reply = script_.rcpt_reply ? script_.rcpt_reply(address) : "";
    if (!reply.empty()) return reply;
    tx.rcpts.push_back(line);
    return "250 ok";
  }

  int fd_ = -1, port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::mutex mu_;
  Script script_;
  std::vector<Kept> kept_;
};
