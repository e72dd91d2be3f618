// A minimal SMTP client for re-injection and notices: connects to the MTA's listener without milters
// (Postfix: a unix-domain smtpd socket only preflight's group can reach, see
// packaging/postfix/master.cf.snippet; or host:port), sends one message to its envelope
// recipients, and reports the server's answer. Line ends are normalised to CRLF and lines starting with a
// dot are dot-stuffed. Blocking, with a timeout on every read and write.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "preflight/util/result.hpp"

namespace preflight::queue {

struct SmtpTarget {
  std::string host = "127.0.0.1";
  int port = 10026;
  std::string helo = "preflight.localhost";
  int timeout_seconds = 60;
  std::string socket;  // a unix-domain socket path; when set, host and port are not used
};

// Succeeds only when the server accepted the message for every recipient it was given (250 after DATA).
// The error text names the SMTP step and the server's reply.
util::Result<bool> smtp_send(const SmtpTarget& target, const std::string& sender,
                             const std::vector<std::string>& recipients, std::string_view message);

// CRLF line ends and dot-stuffing, as DATA needs them (exposed for tests).
std::string smtp_data(std::string_view message);

}  // namespace preflight::queue
