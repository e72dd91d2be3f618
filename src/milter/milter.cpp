// libmilter callbacks; see milter.hpp. Every callback is a noexcept trampoline into guarded(): an
// exception becomes the configured error answer in exactly one place (error_status). Once a verdict holds
// or rewrites the mail, eom.cpp answers failures through verdict_error_status instead: always tempfail.
#include "preflight/milter/milter.hpp"

#include <arpa/inet.h>
#include <sys/stat.h>
#include <libmilter/mfapi.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "preflight/milter/listener.hpp"
#include "preflight/util/memory.hpp"
#include "preflight/util/strings.hpp"
#include "internal.hpp"

namespace preflight::milter {

namespace {

struct Globals {
  Settings settings;
  PolicySource policy;
  Hooks hooks;
  bool quiet = false;  // the steps before end of message are negotiated as sending no reply (quiet_steps)
};

// The actions the milter may take at end of message.
constexpr unsigned long kActions = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_CHGBODY;  // CHGBODY: detach
// The steps before end of message whose callbacks never refuse anything: with these "no reply" flags the
// MTA sends connect, envelope, headers and body without waiting for an answer to each (SMFIP_NR_*).
constexpr unsigned long kQuietSteps = SMFIP_NR_CONN | SMFIP_NR_MAIL | SMFIP_NR_RCPT | SMFIP_NR_DATA |
                                      SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY;
Globals* g = nullptr;

Session* session(SMFICTX* ctx) { return static_cast<Session*>(smfi_getpriv(ctx)); }

// A learn-mode connection, by the {daemon_name} macro the MTA sends at connect (its configuration, never
// the client's). Read from the session once there is one, so that no later macro can change it.
bool learning(SMFICTX* ctx) {
  if (!ctx) return false;
  if (Session* s = session(ctx)) return s->learn;
  const auto& names = g->settings.learn_daemons;
  return !names.empty() && std::find(names.begin(), names.end(), macro(ctx, "{daemon_name}")) != names.end();
}

Session* new_session(SMFICTX* ctx) {
  bool learn = learning(ctx);
  auto* s = new Session;
  s->learn = learn;
  smfi_setpriv(ctx, s);
  return s;
}

// libmilter treats a single '%' as a format character; CR/LF would make the reply invalid.
std::string reply_text(std::string_view text) {
  std::string out;
  for (char c : util::printable(text)) {
    out += c;
    if (c == '%') out += '%';
  }
  return out.substr(0, 900);
}

// The queue id for a log line: the transaction's, else the macro (an error outside a transaction).
std::string queue_id(SMFICTX* ctx) {
  if (!ctx) return "";
  Session* s = session(ctx);
  if (s && s->tx && !s->tx->envelope.queue_id.empty()) return s->tx->envelope.queue_id;
  const char* v = smfi_getsymval(ctx, const_cast<char*>("i"));
  return v ? v : "";
}

sfsistat tempfail(SMFICTX* ctx) {
  if (ctx) smfi_setreply(ctx, const_cast<char*>("451"), const_cast<char*>("4.3.0"),
                         const_cast<char*>("preflight: temporary failure, please try again later"));
  return SMFIS_TEMPFAIL;
}

// Before a verdict: milter.on_error decides (tempfail, or accept: the mail passes unchecked).
sfsistat error_status(SMFICTX* ctx, const std::string& why) {
  std::string qid = queue_id(ctx);
  if (learning(ctx)) {  // mail that came in is never stopped by preflight
    spdlog::warn("qid={} mode=learn error=\"{}\" answer=accept (not learned)", qid, util::printable(why));
    return SMFIS_ACCEPT;
  }
  if (g->settings.accept_on_error) {
    spdlog::warn("qid={} error=\"{}\" answer=accept (on_error: accept)", qid, util::printable(why));
    return SMFIS_ACCEPT;
  }
  spdlog::warn("qid={} error=\"{}\" answer=tempfail", qid, util::printable(why));
  return tempfail(ctx);
}

// After a verdict that holds or rewrites: always tempfail. Accepting would let the mail leave without
// its hold, approval or Bcc rewrite, which on_error: accept ("the mail passes unchecked") never meant.
sfsistat verdict_error_status(SMFICTX* ctx, const std::string& why, std::string_view action) {
  std::string qid = queue_id(ctx);
  if (g->settings.accept_on_error)
    spdlog::warn("qid={} error=\"{}\" answer=tempfail action={} (on_error: accept does not apply: the verdict "
                 "holds or rewrites this mail, it must not leave unchanged)",
                 qid, util::printable(why), action);
  else
    spdlog::warn("qid={} error=\"{}\" answer=tempfail action={}", qid, util::printable(why), action);
  return tempfail(ctx);
}

template <typename F>
sfsistat guarded(SMFICTX* ctx, F&& f) noexcept {
  try {
    return f();
  } catch (const std::exception& e) {
    return error_status(ctx, e.what());
  } catch (...) {
    return error_status(ctx, "unknown exception");
  }
}

// Keeps a failure of a step that sends no reply for end of message: in the transaction, else in the
// session. Should even that fail, end of message finds no transaction, which is an error too.
void defer_failure(SMFICTX* ctx, const std::string& why) noexcept {
  try {
    Session* s = session(ctx) ? session(ctx) : new_session(ctx);
    std::string& failure = s->tx ? s->tx->failure : s->failure;
    if (failure.empty()) failure = why;
  } catch (...) {
  }
}

// A step before end of message. On a unix socket (quiet) it sends no reply and a failure waits for end of
// message, which answers it like any error before a verdict. Over TCP every step is answered: Postfix
// would send the next step's small packet while the previous one waits for a delayed ACK (40 ms each).
template <typename F>
sfsistat step(SMFICTX* ctx, F&& f) noexcept {
  if (!g->quiet) return guarded(ctx, std::forward<F>(f));
  try {
    f();
  } catch (const std::exception& e) {
    defer_failure(ctx, e.what());
  } catch (...) {
    defer_failure(ctx, "unknown exception");
  }
  return SMFIS_NOREPLY;
}

std::string client_address(const struct sockaddr* sa) {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (sa && sa->sa_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, buf, sizeof buf);
  else if (sa && sa->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, buf, sizeof buf);
  return buf;
}

Transaction& tx(SMFICTX* ctx) {
  Session* s = session(ctx);
  if (!s || !s->tx) throw std::logic_error("milter callback outside a transaction");
  return *s->tx;
}

void append(Transaction& t, std::string_view bytes) {
  if (!t.failure.empty()) return;
  t.failure = t.raw.append(bytes);
}

sfsistat on_connect(SMFICTX* ctx, char*, _SOCK_ADDR* addr) {
  return step(ctx, [&] {
    Session* s = session(ctx) ? session(ctx) : new_session(ctx);
    s->client_addr = client_address(addr);
    return SMFIS_CONTINUE;
  });
}

// The ESMTP parameters after the address (libmilter's argv[1..], NULL-terminated).
std::vector<std::string> esmtp_args(char** argv) {
  std::vector<std::string> out;
  if (argv && argv[0])
    for (char** a = argv + 1; *a; ++a) out.emplace_back(*a);
  return out;
}

sfsistat on_envfrom(SMFICTX* ctx, char** argv) {
  return step(ctx, [&] {
    Session* s = session(ctx);
    if (!s) s = new_session(ctx);
    s->tx.emplace(g->settings.memory_limit, g->settings.spill_dir);
    s->tx->policy = g->policy();
    s->tx->envelope.sender = mail::parse_addr_spec(argv && argv[0] ? argv[0] : "");
    s->tx->envelope.client_addr = s->client_addr;
    s->tx->envelope.mail_params = esmtp_args(argv);
    return SMFIS_CONTINUE;
  });
}

sfsistat on_envrcpt(SMFICTX* ctx, char** argv) {
  return step(ctx, [&] {
    Transaction& t = tx(ctx);
    t.envelope.recipients.push_back(mail::parse_addr_spec(argv && argv[0] ? argv[0] : ""));
    t.envelope.rcpt_params.push_back(esmtp_args(argv));
    return SMFIS_CONTINUE;
  });
}

// Registered so that libmilter answers DATA: without a DATA callback Postfix sends the DATA macros and the
// first header back to back with no reply in between, and the second packet waits for a delayed ACK.
sfsistat on_data(SMFICTX* ctx) {
  return step(ctx, [&] {
    tx(ctx);  // DATA outside a transaction is an error like any other callback's
    return SMFIS_CONTINUE;
  });
}

sfsistat on_header(SMFICTX* ctx, char* name, char* value) {
  return step(ctx, [&] {
    Transaction& t = tx(ctx);
    append(t, name ? name : "");
    append(t, ": ");
    append(t, value ? value : "");
    append(t, "\r\n");
    return SMFIS_CONTINUE;
  });
}

sfsistat on_eoh(SMFICTX* ctx) {
  return step(ctx, [&] {
    append(tx(ctx), "\r\n");
    return SMFIS_CONTINUE;
  });
}

sfsistat on_body(SMFICTX* ctx, unsigned char* chunk, size_t len) {
  return step(ctx, [&] {
    Transaction& t = tx(ctx);
    if (session(ctx)->learn) return SMFIS_CONTINUE;  // learning reads the headers only
    append(t, std::string_view(reinterpret_cast<const char*>(chunk), len));
    return SMFIS_CONTINUE;
  });
}


// A large message leaves megabytes of freed memory (parse tree, decoded parts, inspected attachments) that
// the allocator may keep; without giving it back the resident size stays several times the largest message.
void release_memory_after(std::size_t message_size) {
  constexpr std::size_t kLarge = 4 * 1024 * 1024;
  if (message_size >= kLarge) util::release_free_memory();
}

sfsistat on_eom(SMFICTX* ctx) {
  return guarded(ctx, [&] {
    Session* s = session(ctx);
    // libmilter only sends end of message inside a transaction; never pass a mail nobody checked.
    if (!s || !s->tx) return error_status(ctx, "end of message without a transaction");
    if (!s->failure.empty()) return error_status(ctx, s->failure);
    sfsistat rc = s->learn ? learn_message(ctx, *s->tx) : finish_message(ctx, *s->tx);
    const std::size_t size = s->tx->raw.size();
    s->tx.reset();
    release_memory_after(size);
    return rc;
  });
}

// Asks for the actions end of message needs and, on a unix socket, for the quiet steps. libmilter offers
// every "no reply" flag and answers for an MTA that lacks one, so the callbacks need not know.
sfsistat on_negotiate(SMFICTX*, unsigned long, unsigned long, unsigned long, unsigned long,
                      unsigned long* actions, unsigned long* steps, unsigned long*, unsigned long*) {
  *actions = kActions;
  if (g->quiet) *steps |= kQuietSteps;
  return SMFIS_CONTINUE;
}

sfsistat on_abort(SMFICTX* ctx) {
  return guarded(ctx, [&] {
    if (Session* s = session(ctx)) s->tx.reset();
    return SMFIS_CONTINUE;
  });
}

sfsistat on_close(SMFICTX* ctx) {
  return guarded(ctx, [&] {
    delete session(ctx);  // may be null: close can come without connect
    smfi_setpriv(ctx, nullptr);
    return SMFIS_CONTINUE;
  });
}

}  // namespace

std::string macro(SMFICTX* ctx, const char* name) {
  const char* v = smfi_getsymval(ctx, const_cast<char*>(name));
  return v ? v : "";
}

sfsistat answer_error(SMFICTX* ctx, const std::string& why) {
  count_failure();
  return error_status(ctx, why);
}
sfsistat answer_verdict_error(SMFICTX* ctx, const std::string& why, std::string_view action) {
  count_failure();
  return verdict_error_status(ctx, why, action);
}
std::string smtp_reply_text(std::string_view text) { return reply_text(text); }

const Hooks& hooks() { return g->hooks; }
const Settings& settings() { return g->settings; }

int run(const Settings& settings, PolicySource policy, Hooks hooks) {
  static Globals globals;
  globals = {settings, std::move(policy), std::move(hooks)};
  util::prepare_allocator();
  globals.quiet = unix_path(settings.socket).has_value();
  g = &globals;
  static char name[] = "preflight";
  struct smfiDesc desc = {};
  desc.xxfi_name = name;
  desc.xxfi_version = SMFI_VERSION;
  desc.xxfi_flags = kActions;  // DISCARD needs no flag
  desc.xxfi_connect = on_connect;
  desc.xxfi_envfrom = on_envfrom;
  desc.xxfi_envrcpt = on_envrcpt;
  desc.xxfi_data = on_data;
  desc.xxfi_header = on_header;
  desc.xxfi_eoh = on_eoh;
  desc.xxfi_body = on_body;
  desc.xxfi_eom = on_eom;
  desc.xxfi_abort = on_abort;
  desc.xxfi_close = on_close;
  desc.xxfi_negotiate = on_negotiate;
  if (smfi_setconn(const_cast<char*>(settings.socket.c_str())) == MI_FAILURE)
    throw std::runtime_error("invalid milter socket '" + settings.socket + "'");
  smfi_settimeout(settings.timeout_seconds);
  if (smfi_register(desc) == MI_FAILURE) throw std::runtime_error("smfi_register failed");
  if (smfi_opensocket(1) == MI_FAILURE)
    throw std::runtime_error("cannot listen on '" + settings.socket + "' (in use, or no permission?)");
  if (auto path = unix_path(settings.socket); path && !share_unix_socket_with_group(*path))
    throw std::runtime_error("cannot make the milter socket " + *path + " group-writable: " + std::strerror(errno));
  if (auto port = tcp_port(settings.socket); port && set_listener_nodelay(*port) == 0)
    spdlog::warn("milter: no listening socket on port {} found to set TCP_NODELAY on: each message may wait "
                 "for delayed ACKs (about 40 ms per stall)", *port);
  spdlog::info("milter listening on {}{}", settings.socket,
               g->quiet ? " (steps before end of message send no reply)" : "");
  if (g->hooks.listening) g->hooks.listening();
  if (!settings.learn_daemons.empty())
    spdlog::info("milter: connections with {{daemon_name}} {} are learned from, never checked",
                 util::join(settings.learn_daemons, ","));
  return smfi_main() == MI_SUCCESS ? 0 : 1;
}

void stop() { smfi_stop(); }

}  // namespace preflight::milter
