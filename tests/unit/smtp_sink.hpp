// A minimal SMTP server on a free loopback port for tests that re-inject mail: it accepts every
// command, keeps each message's DATA, and answers one connection after another until destroyed.
#pragma once
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

class SmtpSink {
 public:
  SmtpSink() {
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
    return messages_;
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
    std::string buf, data;
    bool in_data = false;
    char chunk[4096];
    for (ssize_t n; (n = ::read(c, chunk, sizeof chunk)) > 0;) {
      buf.append(chunk, static_cast<std::size_t>(n));
      for (std::size_t eol; (eol = buf.find("\r\n")) != std::string::npos; buf.erase(0, eol + 2)) {
        std::string line = buf.substr(0, eol);
        if (in_data && line == ".") {
          in_data = false;
          std::lock_guard<std::mutex> lock(mu_);
          messages_.push_back(data);
          say(c, "250 kept\r\n");
        } else if (in_data) {
          data += (line.rfind("..", 0) == 0 ? line.substr(1) : line) + "\r\n";
        } else if (line == "DATA") {
          in_data = true;
          data.clear();
          say(c, "354 go on\r\n");
        } else if (line == "QUIT") {
          return say(c, "221 bye\r\n");
        } else {
          say(c, "250 ok\r\n");
        }
      }
    }
  }

  int fd_ = -1, port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> messages_;
};
