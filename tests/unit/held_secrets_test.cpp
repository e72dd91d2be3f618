// What the held-mail path keeps at rest and who it asks: the outbox never holds a usable action link
// (links are signed when a notice is sent), spool and state files are private whatever the umask, and a
// rule that finds no approver refuses the mail instead of letting the sender approve it.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <regex>

#include "preflight/engine/engine.hpp"
#include "preflight/mail/parse.hpp"
#include "preflight/policy/compile.hpp"
#include "preflight/queue/queue.hpp"
#include "preflight/util/private_files.hpp"
#include "preflight/web/link_token.hpp"
#include "smtp_sink.hpp"

using namespace preflight;

namespace {

const std::string kKey(32, 'k');
constexpr std::int64_t kNow = 1'800'000'000;

constexpr const char* kPolicy = R"(organisation:
  internal_domains: [example.co.jp]
  approver_fallback: none
rules:
  - id: to-boss
    when: 'message.subject contains "boss"'
    action: {type: approve, approvers: [boss@example.co.jp]}
  - id: to-supervisor
    when: 'message.subject contains "supervisor"'
    action: {type: approve, approvers: [supervisor]}
)";

struct Fixture {
  std::string dir = "/tmp/preflight-secrets-test-" + std::to_string(getpid());
  std::shared_ptr<const policy::Policy> policy;
  std::shared_ptr<store::Store> st;
  std::unique_ptr<queue::Queue> q;

  explicit Fixture(queue::SmtpTarget reinject = {}) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    auto compiled = policy::compile_text(kPolicy, "p.yaml");
    for (const auto& e : compiled.errors) INFO(e.str());
    REQUIRE(compiled.policy);
    policy = compiled.policy;
    st = *store::open_sqlite(dir + "/preflight.db");
    queue::QueueSettings qs{dir + "/spool", reinject, "preflight@example.co.jp", 120, [this] { return policy; }};
    auto links = [](const std::string& id, const std::string& actor, const std::string& action, std::int64_t until) {
      web::LinkAction a = action == "approve" ? web::LinkAction::Approve
                          : action == "reject" ? web::LinkAction::Reject
                                               : web::LinkAction::Cancel;
      return "https://gw.example.co.jp/link/" + web::sign_link({id, actor, a, until}, kKey);
    };
    q = std::make_unique<queue::Queue>(st, qs, links, [] { return kNow; });
    REQUIRE(q->prepare_and_reconcile().ok());
  }
  ~Fixture() { std::filesystem::remove_all(dir); }

  util::Result<std::string> hold(const std::string& sender, const std::string& subject) {
    std::string text = "From: " + sender + "\r\nTo: a@customer.example\r\nSubject: " + subject + "\r\n\r\nhello\r\n";
    mail::Envelope env;
    env.sender = mail::parse_addr_spec(sender);
    env.recipients.push_back(mail::parse_addr_spec("a@customer.example"));
    auto msg = mail::parse_message(text);
    REQUIRE(msg.ok());
    auto ev = engine::evaluate(*policy, env, *msg, detect::NoContext{});
    auto plan = action::plan(ev.verdict, *msg, policy->organisation);
    util::SpillBuffer raw(1 << 20, dir);
    REQUIRE(raw.append(text).empty());
    return q->hold({env, *msg, raw, ev.verdict, ev.facts, plan, *policy});
  }
};

// Every action-link token in `text` that the gateway's key accepts now.
std::vector<web::LinkClaims> valid_links(const std::string& text) {
  std::vector<web::LinkClaims> out;
  static const std::regex token(R"(/link/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+))");
  for (std::sregex_iterator it(text.begin(), text.end(), token), end; it != end; ++it)
    if (auto c = web::verify_link((*it)[1].str(), kKey, kNow); c.ok()) out.push_back(*c);
  return out;
}

// The text a notice row would show a reader of the database: its bytes and, decoded, its body.
std::string readable(const std::string& raw) {
  std::string out = raw;
  if (auto msg = mail::parse_message(raw); msg.ok())
    for (const auto& t : msg->texts) out += "\n" + t;
  return out;
}

}  // namespace

TEST_CASE("the notice outbox holds no usable approve link, before or after sending; the sent mail does") {
  SmtpSink sink;
  queue::SmtpTarget reinject;
  reinject.port = sink.port();
  Fixture f(reinject);
  auto id = f.hold("taro@example.co.jp", "for the boss");
  REQUIRE(id.ok());
  auto rows = f.st->notices_for(*id);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 2);  // the approver's request, the sender's "pending"
  for (const auto& n : *rows) CHECK(valid_links(readable(n.raw)).empty());

  CHECK(f.q->send_notices() == 2);
  bool approve_link_sent = false;
  for (const auto& m : sink.messages())
    for (const auto& c : valid_links(readable(m)))
      approve_link_sent = approve_link_sent || (c.action == web::LinkAction::Approve && c.actor == "boss@example.co.jp");
  CHECK(approve_link_sent);
  auto after = f.st->notices_for(*id);
  REQUIRE(after.ok());
  for (const auto& n : *after) CHECK(valid_links(readable(n.raw)).empty());
}

TEST_CASE("an approval nobody can give is refused (the milter tempfails it) and nothing is stored") {
  Fixture f;
  for (const char* sender : {"nobody@example.co.jp", "Taro+x@example.co.jp"}) {
    CAPTURE(sender);
    auto id = f.hold(sender, "for the supervisor");
    REQUIRE_FALSE(id.ok());
    CHECK(id.error().find("no approver for " + std::string(sender)) == 0);
  }
  CHECK(f.st->list({std::nullopt, "", 10, 0})->empty());
  CHECK(f.q->spool().ids().empty());
}

TEST_CASE("state directories are 0700 and spooled mail 0600 whatever the umask") {
  for (mode_t mask : {mode_t{0000}, mode_t{0022}}) {
    CAPTURE(mask);
    mode_t old = umask(mask);
    {
      Fixture f;
      REQUIRE(util::make_private_dir(f.dir + "/state/tmp").ok());
      auto id = f.hold("taro@example.co.jp", "for the boss");
      REQUIRE(id.ok());
      struct stat st {};
      for (const std::string& d : {f.dir + "/spool", f.dir + "/spool/tmp", f.dir + "/state/tmp"}) {
        CAPTURE(d);
        REQUIRE(stat(d.c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0700);
      }
      REQUIRE(stat(f.q->spool().path(*id).c_str(), &st) == 0);
      CHECK((st.st_mode & 0777) == 0600);
    }
    umask(old);
  }
}
