// A minimal SMTP client for re-injection and notices: connects to the MTA's listener without milters
// (Postfix: 127.0.0.1:10026, see packaging/postfix/master.cf.snippet), sends one message to its envelope
// recipients, and reports the server's answer. Line ends are normalised to CRLF and lines starting with a
// dot are dot-stuffed. Blocking, with a timeout on every read and write.
#pragma once
#include <optional>
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
};

// Succeeds only when the server accepted the message for every recipient it was given (250 after DATA).
// The error text names the SMTP step and the server's reply.
util::Result<bool> smtp_send(const SmtpTarget& target, const std::string& sender,
                             const std::vector<std::string>& recipients, std::string_view message);

// CRLF line ends and dot-stuffing, as DATA needs them (exposed for tests).
std::string smtp_data(std::string_view message);

// One server reply: its three-digit code (0 when the last line has none) and its lines joined by blanks.
struct SmtpReply {
  int code = 0;
  std::string text;
};

// Takes one complete reply from the front of `received` (bytes read so far): CRLF-terminated lines up to
// the first whose fourth character is not '-'. Returns nullopt, leaving `received` as it is, while the
// reply is not complete yet. (Exposed for tests.)
std::optional<SmtpReply> take_smtp_reply(std::string& received);

}  // namespace preflight::queue
