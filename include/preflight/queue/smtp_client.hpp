// A minimal SMTP client for re-injection and notices: connects to the MTA's listener without milters
// (Postfix: a unix-domain smtpd socket only preflight's group can reach, see
// packaging/postfix/master.cf.snippet; or host:port), sends one message to its envelope recipients, and
// reports the server's answer per recipient. Line ends are normalised to CRLF and lines starting with a
// dot are dot-stuffed. Blocking, with a timeout on every read and write.
//
// The ESMTP parameters of the original transaction (MAIL FROM: SMTPUTF8, BODY=, RET=, ENVID=; RCPT TO:
// NOTIFY=, ORCPT=) are replayed when the server's EHLO advertises their extension (SMTPUTF8, 8BITMIME, DSN)
// and left out otherwise; any other parameter (SIZE=, AUTH=, ...) is never replayed. A 452 to a RCPT after
// at least one accepted recipient ("too many recipients", Postfix's smtpd_recipient_limit) ends that
// transaction's recipient list: the rest go in a further transaction, on a new connection.
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
  std::string socket;  // a unix-domain socket path; when set, host and port are not used
};

// One recipient and the ESMTP parameters its RCPT TO had ("NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;a@b").
struct SmtpRecipient {
  std::string address;
  std::vector<std::string> params;
};

// What one delivery is sent with: MAIL FROM's address and parameters ("BODY=8BITMIME", "SMTPUTF8"), and
// the recipients.
struct SmtpEnvelope {
  std::string sender;
  std::vector<std::string> params;
  std::vector<SmtpRecipient> recipients;
};

// What became of one recipient: accepted after DATA (Sent), refused or lost with a 4xx or no answer
// (Deferred: try again later), refused with a 5xx (Failed). `reply` names the step and the server's answer.
enum class RecipientOutcome { Sent, Deferred, Failed };
struct RecipientResult {
  std::string address;
  RecipientOutcome outcome = RecipientOutcome::Deferred;
  std::string reply;
};

// Delivers `message` to every recipient the server accepts, in as many transactions as it takes. One result
// per recipient, in the envelope's order. Never throws; a connection that cannot be made defers everyone.
std::vector<RecipientResult> smtp_deliver(const SmtpTarget& target, const SmtpEnvelope& envelope,
                                          std::string_view message);

// Connects to the target, reads its greeting and says QUIT: the greeting line when it is a 220, else an
// error ("cannot connect to ...", "greeting: ..."). For `preflightctl config check`.
util::Result<std::string> smtp_probe(const SmtpTarget& target);

// The parameters of `params` that may be replayed to a server advertising `extensions` (EHLO keywords,
// upper case): see above. Exposed for tests.
std::vector<std::string> replayable_params(const std::vector<std::string>& params,
                                           const std::vector<std::string>& extensions);

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
  std::vector<std::string> lines;  // each line's text after its code and separator (EHLO keywords)
};

// Takes one complete reply from the front of `received` (bytes read so far): CRLF-terminated lines up to
// the first whose fourth character is not '-'. Returns nullopt, leaving `received` as it is, while the
// reply is not complete yet. (Exposed for tests.)
std::optional<SmtpReply> take_smtp_reply(std::string& received);

}  // namespace preflight::queue
