// Minimal blocking SMTP client; see smtp_client.hpp.
#include "preflight/queue/smtp_client.hpp"

#include "smtp_connect.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
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
  // Reads one (possibly multi-line) reply; returns its code, 0 on a broken connection. `lines` gets the
  // text of each line after its code.
  int reply(std::string& text, std::vector<std::string>* lines = nullptr) {
    text.clear();
    while (true) {
      if (auto r = take_smtp_reply(buf_)) {
        text = std::move(r->text);
        if (lines) *lines = std::move(r->lines);
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
    r.lines.emplace_back(line.size() > 4 ? line.substr(4) : std::string_view{});
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

namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// The extension an ESMTP parameter needs, "" for parameters that are never replayed.
std::string extension_for(const std::string& param) {
  std::size_t eq = param.find('=');
  std::string key = upper(param.substr(0, eq));
  std::string value = eq == std::string::npos ? "" : upper(param.substr(eq + 1));
  if (key == "SMTPUTF8" && eq == std::string::npos) return "SMTPUTF8";
  if (key == "BODY" && (value == "8BITMIME" || value == "7BIT")) return "8BITMIME";
  if (key == "RET" || key == "ENVID" || key == "NOTIFY" || key == "ORCPT") return eq == std::string::npos ? "" : "DSN";
  return {};
}

// A parameter is one word of visible characters (UTF-8 allowed for SMTPUTF8's ORCPT=utf-8;...).
bool well_formed(const std::string& param) {
  return !param.empty() && param.size() <= 500 && std::none_of(param.begin(), param.end(), [](char c) {
    return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f;
  });
}

std::string with_params(std::string command, const std::vector<std::string>& params) {
  for (const auto& p : params) command += " " + p;
  return command;
}

RecipientOutcome outcome_of(int code) { return code >= 500 && code < 600 ? RecipientOutcome::Failed : RecipientOutcome::Deferred; }

// "STEP: the server's reply" (the reply's lines joined, its code included), or "STEP: connection lost".
std::string reply_text(const std::string& step, int code, const std::string& text) {
  std::string_view reply = text;
  while (!reply.empty() && reply.back() == ' ') reply.remove_suffix(1);
  return step + ": " + (code ? std::string(reply) : std::string("connection lost"));
}

// A connection after its greeting and EHLO; `error` is set when it could not get that far.
struct Session {
  Connection c;
  std::vector<std::string> extensions;  // EHLO keywords, upper case
  std::string error;
  int code = 0;  // the refusing reply's code (0: no answer)

  explicit Session(const SmtpTarget& t) {
    if (error = c.open(t); !error.empty()) return;
    std::string text;
    std::vector<std::string> lines;
    if (code = c.reply(text); code != 220) {
      error = reply_text("greeting", code, text);
      return;
    }
    if (!c.send("EHLO " + t.helo + "\r\n")) code = 0;
    else code = c.reply(text, &lines);
    if (code != 250) {
      error = reply_text("EHLO", code, text);
      return;
    }
    for (std::size_t i = 1; i < lines.size(); ++i) extensions.push_back(upper(lines[i].substr(0, lines[i].find(' '))));
  }
  // Sends a command and reads its reply.
  int command(const std::string& line, std::string& text) {
    if (!c.send(line + "\r\n")) return text = "cannot send", 0;
    return c.reply(text);
  }
};

void settle(std::vector<RecipientResult>& out, const std::vector<std::size_t>& which, RecipientOutcome o,
            const std::string& reply) {
  for (std::size_t i : which) out[i].outcome = o, out[i].reply = reply;
}

// One transaction on a new connection for the recipients from `next` on; fills their results and returns
// where the next transaction starts (the end, unless the server said 452 after accepting some).
std::size_t transaction(const SmtpTarget& t, const SmtpEnvelope& env, std::size_t next, std::string_view message,
                        std::vector<RecipientResult>& out) {
  std::vector<std::size_t> rest;
  for (std::size_t i = next; i < out.size(); ++i) rest.push_back(i);
  Session s(t);
  if (!s.error.empty()) return settle(out, rest, outcome_of(s.code), s.error), out.size();
  std::string text;
  int code = s.command(with_params("MAIL FROM:<" + env.sender + ">", replayable_params(env.params, s.extensions)), text);
  if (code != 250) return settle(out, rest, outcome_of(code), reply_text("MAIL FROM", code, text)), out.size();
  std::vector<std::size_t> accepted;
  std::size_t end = out.size();
  for (std::size_t i = next; i < out.size(); ++i) {
    const auto& r = env.recipients[i];
    code = s.command(with_params("RCPT TO:<" + r.address + ">", replayable_params(r.params, s.extensions)), text);
    if (code == 250 || code == 251) {
      accepted.push_back(i);
      continue;
    }
    if (code == 452 && !accepted.empty()) {
      end = i;  // too many recipients for one transaction: this one and the rest go in the next
      break;
    }
    out[i].outcome = outcome_of(code);
    out[i].reply = reply_text("RCPT TO", code, text);
    if (code == 0) return settle(out, accepted, RecipientOutcome::Deferred, out[i].reply), out.size();
  }
  if (accepted.empty()) return s.command("QUIT", text), end;
  code = s.command("DATA", text);
  if (code != 354) return settle(out, accepted, outcome_of(code), reply_text("DATA", code, text)), end;
  code = s.c.send(smtp_data(message)) ? s.c.reply(text) : 0;
  if (code == 250) settle(out, accepted, RecipientOutcome::Sent, reply_text("end of DATA", code, text));
  else settle(out, accepted, outcome_of(code), reply_text("end of DATA", code, text));
  s.command("QUIT", text);
  return end;
}

}  // namespace

std::vector<std::string> replayable_params(const std::vector<std::string>& params,
                                           const std::vector<std::string>& extensions) {
  std::vector<std::string> out;
  for (const auto& p : params) {
    std::string needs = extension_for(p);
    if (!needs.empty() && well_formed(p) && std::find(extensions.begin(), extensions.end(), needs) != extensions.end())
      out.push_back(p);
  }
  return out;
}

std::vector<RecipientResult> smtp_deliver(const SmtpTarget& t, const SmtpEnvelope& env, std::string_view message) {
  std::vector<RecipientResult> out;
  for (const auto& r : env.recipients) out.push_back({r.address, RecipientOutcome::Deferred, "not tried"});
  for (std::size_t next = 0; next < out.size();) next = transaction(t, env, next, message, out);
  return out;
}

util::Result<bool> smtp_send(const SmtpTarget& t, const std::string& sender, const std::vector<std::string>& recipients,
                             std::string_view message) {
  SmtpEnvelope env{sender, {}, {}};
  for (const auto& r : recipients) env.recipients.push_back({r, {}});
  for (const auto& r : smtp_deliver(t, env, message))
    if (r.outcome != RecipientOutcome::Sent) return util::Error{r.address + ": " + r.reply};
  if (recipients.empty()) return util::Error{"no recipients"};
  return true;
}

}  // namespace preflight::queue
