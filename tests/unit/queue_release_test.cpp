// Releasing held mail through the real queue, a real SQLite file and a scripted SMTP server: the
// prefixed raw 8-bit Subject, the replayed ESMTP parameters, per-recipient answers, the "too many
// recipients" split and the terminal `failed` state.
#include <doctest/doctest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <filesystem>

#include "preflight/engine/engine.hpp"
#include "preflight/mail/header_decode.hpp"
#include "preflight/mail/parse.hpp"
#include "preflight/policy/compile.hpp"
#include "preflight/queue/queue.hpp"
#include "smtp_sink.hpp"

using namespace preflight;

namespace {

constexpr const char* kPolicy = R"(organisation:
  internal_domains: [example.co.jp]
rules:
  - id: external-tag
    when: "recipients.external >= 1"
    action: {type: tag, tag: external, subject_prefix: "[社外]"}
  - id: boss-approves
    when: "recipients.external >= 1"
    action: {type: approve, approvers: [boss@example.co.jp]}
)";

constexpr std::int64_t kStart = 1'800'000'000;

struct Release {
  std::string dir = "/tmp/preflight-release-test-" + std::to_string(getpid());
  std::shared_ptr<policy::Policy> policy;
  std::shared_ptr<store::Store> st;
  std::unique_ptr<queue::Queue> q;
  std::int64_t now = kStart;

  explicit Release(int port = 1, int max_attempts = 5, std::int64_t max_seconds = 86400) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    auto compiled = policy::compile_text(kPolicy, "p.yaml");
    for (const auto& e : compiled.errors) INFO(e.str());
    REQUIRE(compiled.policy);
    policy = std::make_shared<policy::Policy>(*compiled.policy);
    st = *store::open_sqlite(dir + "/preflight.db");
    queue::SmtpTarget target;
    target.port = port;
    target.timeout_seconds = 5;
    queue::QueueSettings qs{dir + "/spool", target, "preflight@example.co.jp", 1, [this] { return policy; }};
    qs.max_release_attempts = max_attempts;
    qs.max_release_seconds = max_seconds;
    qs.admin_address = "admin@example.co.jp";
    q = std::make_unique<queue::Queue>(st, qs, nullptr, [this] { return now; });
    REQUIRE(q->prepare_and_reconcile().ok());
  }
  ~Release() { std::filesystem::remove_all(dir); }

  util::Result<std::string> try_hold(const std::string& raw_text, const mail::Envelope& env) {
    auto msg = mail::parse_message(raw_text);
    REQUIRE(msg.ok());
    auto ev = engine::evaluate(*policy, env, *msg, detect::NoContext{});
    auto plan = action::plan(ev.verdict, *msg, policy->organisation);
    REQUIRE(plan.disposition == action::Disposition::Hold);
    util::SpillBuffer raw(1 << 20, dir);
    REQUIRE(raw.append(raw_text).empty());
    return q->hold({env, *msg, raw, ev.verdict, ev.facts, plan, *policy});
  }

  std::string hold(const std::string& raw_text, const mail::Envelope& env) {
    auto id = try_hold(raw_text, env);
    REQUIRE_MESSAGE(id.ok(), (id.ok() ? "" : id.error()));
    return *id;
  }

  void approve(const std::string& id) {
    auto r = q->decide({id, queue::Decision::Approve, "boss@example.co.jp", "192.0.2.1", "", false, false});
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error()));
    q->release_ready();
  }

  store::HeldMessage get(const std::string& id) {
    auto m = st->get(id);
    REQUIRE(m.ok());
    REQUIRE(m->has_value());
    return **m;
  }
};

mail::Envelope envelope(const std::vector<std::string>& rcpts) {
  mail::Envelope env;
  env.sender = mail::parse_addr_spec("taro@example.co.jp");
  for (const auto& r : rcpts) env.recipients.push_back(mail::parse_addr_spec(r));
  return env;
}

std::string header_of(const std::string& raw, const std::string& name) {
  std::size_t at = raw.find("\r\n" + name + ": ");
  if (at == std::string::npos) return "<none>";
  at += name.size() + 4;
  return raw.substr(at, raw.find("\r\n", at) - at);
}

bool ascii(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

}  // namespace

TEST_CASE("a raw 8-bit Subject with a subject prefix is held and leaves with one RFC 2047-encoded Subject") {
  struct Row {
    std::string what;
    std::string subject_bytes;
    std::string decoded;
  };
  const std::vector<Row> rows = {
      {"unencoded UTF-8", "見積書の送付", "[社外] 見積書の送付"},
      {"Shift_JIS", "\x8c\xa9\x90\xcf\x8f\x91", "[社外] 見積書"},
      {"an encoded-word next to raw UTF-8", "=?UTF-8?B?6KaL56mN?= 第2版", "[社外] 見積 第2版"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.what);
    SmtpSink sink;
    Release f(sink.port());
    std::string raw = "From: taro@example.co.jp\r\nTo: a@partner.example.com\r\nSubject: " + row.subject_bytes +
                      "\r\nMessage-ID: <8bit@example.co.jp>\r\n\r\nbody\r\n";
    std::string id = f.hold(raw, envelope({"a@partner.example.com"}));
    f.approve(id);
    REQUIRE(sink.messages().size() == 1);
    std::string subject = header_of("\r\n" + sink.messages()[0], "Subject");
    CHECK(ascii(subject));
    CHECK(mail::decode_header_text(subject) == row.decoded);
    CHECK(f.get(id).state == store::State::Released);
  }
}

namespace {

// The delivery-failed notices about `id` in the outbox, as "KIND to RCPT".
std::vector<std::string> notices(Release& f, const std::string& id) {
  std::vector<std::string> out;
  auto all = f.st->notices_for(id);
  REQUIRE(all.ok());
  for (const auto& n : *all) {
    // The outbox keeps the notice's data (links are signed when it is sent), not the composed mail.
    auto spec = nlohmann::json::parse(n.raw, nullptr, false);
    REQUIRE(spec.is_object());
    if (spec.value("kind", -1) == static_cast<int>(queue::NoticeKind::DeliveryFailed))
      out.push_back("delivery-failed to " + n.rcpt);
  }
  return out;
}

std::string outcome(Release& f, const std::string& id, const std::string& rcpt) {
  return queue::delivery_of(f.get(id)).value(rcpt, nlohmann::json::object()).value("outcome", "-");
}

constexpr const char* kMail =
    "From: taro@example.co.jp\r\nTo: a@partner.example.com\r\nSubject: quote\r\n"
    "Message-ID: <r@example.co.jp>\r\n\r\nbody\r\n";

}  // namespace

TEST_CASE("only the ESMTP parameters whose extension the server advertises are replayed, and never SIZE or AUTH") {
  struct Row {
    std::vector<std::string> extensions;
    std::vector<std::string> kept;
  };
  const std::vector<std::string> params = {"BODY=8BITMIME", "SMTPUTF8", "RET=HDRS", "ENVID=q1", "SIZE=100",
                                           "AUTH=<>", "NOTIFY=SUCCESS,FAILURE", "BODY=BINARYMIME", "RET=bad word"};
  const std::vector<Row> rows = {
      {{"8BITMIME", "SMTPUTF8", "DSN", "SIZE", "AUTH"},
       {"BODY=8BITMIME", "SMTPUTF8", "RET=HDRS", "ENVID=q1", "NOTIFY=SUCCESS,FAILURE"}},
      {{"8BITMIME"}, {"BODY=8BITMIME"}},
      {{"DSN"}, {"RET=HDRS", "ENVID=q1", "NOTIFY=SUCCESS,FAILURE"}},
      {{}, {}},
  };
  for (const auto& row : rows) {
    CAPTURE(row.extensions.size());
    CHECK(queue::replayable_params(params, row.extensions) == row.kept);
  }
}

TEST_CASE("a held mail is released with the ESMTP parameters of its original transaction") {
  SmtpSink sink({{"8BITMIME", "SMTPUTF8", "DSN", "PIPELINING"}, 0, nullptr});
  Release f(sink.port());
  auto env = envelope({"a@partner.example.com", "b@partner.example.com"});
  env.mail_params = {"BODY=8BITMIME", "SMTPUTF8", "RET=HDRS", "ENVID=orig-42", "SIZE=1234"};
  env.rcpt_params = {{"NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;a@partner.example.com"}, {"NOTIFY=NEVER"}};
  std::string id = f.hold(kMail, env);
  f.approve(id);
  auto txs = sink.transactions();
  REQUIRE(txs.size() == 1);
  CHECK(txs[0].mail_from == "MAIL FROM:<taro@example.co.jp> BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=orig-42");
  CHECK(txs[0].rcpts == std::vector<std::string>{
                            "RCPT TO:<a@partner.example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;a@partner.example.com",
                            "RCPT TO:<b@partner.example.com> NOTIFY=NEVER"});
  CHECK(f.get(id).state == store::State::Released);
}

TEST_CASE("a recipient refused with a 5xx is recorded as failed, the others are released and the sender is told") {
  SmtpSink::Script script;
  script.rcpt_reply = [](const std::string& a) { return a == "gone@partner.example.com" ? "550 5.1.1 no such user" : ""; };
  SmtpSink sink(script);
  Release f(sink.port());
  std::string id = f.hold(kMail, envelope({"a@partner.example.com", "gone@partner.example.com", "c@partner.example.com"}));
  f.approve(id);
  auto txs = sink.transactions();
  REQUIRE(txs.size() == 1);
  CHECK(txs[0].rcpts.size() == 2);
  CHECK(f.get(id).state == store::State::Released);
  CHECK(outcome(f, id, "gone@partner.example.com") == "failed");
  CHECK(outcome(f, id, "a@partner.example.com") == "sent");
  CHECK(notices(f, id) == std::vector<std::string>{"delivery-failed to taro@example.co.jp"});
  auto trail = *f.st->audit_trail(id);
  REQUIRE(!trail.empty());
  CHECK(trail.back().action == "release");
  CHECK(trail.back().comment.find("gone@partner.example.com: RCPT TO: 550 5.1.1 no such user") != std::string::npos);
}

TEST_CASE("a recipient refused with a 4xx is tried again alone on a later pass") {
  int refusals = 1;
  SmtpSink::Script script;
  script.rcpt_reply = [&](const std::string& a) {
    return a == "busy@partner.example.com" && refusals-- > 0 ? "451 4.3.0 try again later" : "";
  };
  SmtpSink sink(script);
  Release f(sink.port());
  std::string id = f.hold(kMail, envelope({"a@partner.example.com", "busy@partner.example.com"}));
  f.approve(id);
  CHECK(f.get(id).state == store::State::Approved);
  CHECK(outcome(f, id, "busy@partner.example.com") == "deferred");
  f.now += 5;  // the lease ran out
  f.q->release_ready();
  auto txs = sink.transactions();
  REQUIRE(txs.size() == 2);
  CHECK(txs[0].rcpts == std::vector<std::string>{"RCPT TO:<a@partner.example.com>"});
  CHECK(txs[1].rcpts == std::vector<std::string>{"RCPT TO:<busy@partner.example.com>"});
  CHECK(f.get(id).state == store::State::Released);
  CHECK(notices(f, id).empty());
}

TEST_CASE("a 452 'too many recipients' ends a transaction and the rest go in further ones") {
  SmtpSink sink({{}, 3, nullptr});
  Release f(sink.port());
  std::vector<std::string> rcpts;
  for (int i = 0; i < 8; ++i) rcpts.push_back("r" + std::to_string(i) + "@partner.example.com");
  std::string id = f.hold(kMail, envelope(rcpts));
  f.approve(id);
  auto txs = sink.transactions();
  REQUIRE(txs.size() == 3);
  CHECK(txs[0].rcpts.size() == 3);
  CHECK(txs[1].rcpts.size() == 3);
  CHECK(txs[2].rcpts.size() == 2);
  CHECK(txs[2].rcpts.back() == "RCPT TO:<r7@partner.example.com>");
  CHECK(f.get(id).state == store::State::Released);
}

TEST_CASE("a release that runs out of attempts or time becomes failed, with an audit row and notices") {
  struct Row {
    std::string what;
    int max_attempts;
    std::int64_t max_seconds;
    int passes_before;  // passes that leave it approved
  };
  const std::vector<Row> rows = {{"attempt limit", 3, 0, 2}, {"time limit", 0, 60, 6}};
  for (const auto& row : rows) {
    CAPTURE(row.what);
    SmtpSink::Script script;
    script.rcpt_reply = [](const std::string&) { return "421 4.3.2 shutting down"; };
    SmtpSink sink(script);
    Release f(sink.port(), row.max_attempts, row.max_seconds);
    std::string id = f.hold(kMail, envelope({"a@partner.example.com"}));
    f.approve(id);
    for (int pass = 1; pass < row.passes_before; ++pass) {
      f.now += 10;
      f.q->release_ready();
    }
    CHECK(f.get(id).state == store::State::Approved);
    CHECK(notices(f, id).empty());
    f.now += 10;
    f.q->release_ready();
    CHECK(f.get(id).state == store::State::Failed);
    CHECK(outcome(f, id, "a@partner.example.com") == "failed");
    CHECK(notices(f, id) == std::vector<std::string>{"delivery-failed to taro@example.co.jp",
                                                     "delivery-failed to admin@example.co.jp"});
    auto trail = *f.st->audit_trail(id);
    CHECK(trail.back().action == "fail");
    CHECK(trail.back().to_state == "failed");
    f.now += 10;
    CHECK(f.q->release_ready() == 0);  // terminal: never tried again
    CHECK(sink.transactions().empty());
  }
}

TEST_CASE("a mail every recipient refuses with a 5xx fails at once") {
  SmtpSink::Script script;
  script.rcpt_reply = [](const std::string&) { return "554 5.7.1 relay denied"; };
  SmtpSink sink(script);
  Release f(sink.port());
  std::string id = f.hold(kMail, envelope({"a@partner.example.com", "b@partner.example.com"}));
  f.approve(id);
  CHECK(f.get(id).state == store::State::Failed);
  CHECK(notices(f, id).size() == 2);
}
