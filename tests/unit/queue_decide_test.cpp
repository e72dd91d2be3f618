// Holding and deciding through the real queue on a real SQLite file: the approver's "approve as Bcc"
// choice (offered by the policy's allow_bcc) and the recipient marks the web queue shows.
#include <doctest/doctest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <filesystem>

#include "preflight/engine/engine.hpp"
#include "preflight/mail/parse.hpp"
#include "preflight/policy/compile.hpp"
#include "preflight/queue/queue.hpp"
#include "smtp_sink.hpp"

using namespace preflight;

namespace {

constexpr const char* kPolicy = R"(organisation:
  internal_domains: [example.co.jp]
rules:
  - id: many-external
    when: "recipients.visible_external >= 3"
    action: {type: approve, approvers: [boss@example.co.jp], allow_bcc: external}
  - id: attachment
    when: "attachments.unencrypted >= 1"
    action: {type: approve, approvers: [boss@example.co.jp]}
)";

constexpr const char* kVisible =
    "From: Taro <taro@example.co.jp>\r\n"
    "To: a@customer-a.co.jp, b@customer-b.co.jp, Hanako <hanako@example.co.jp>\r\n"
    "Cc: c@exarnple.co.jp\r\n"
    "Subject: price list\r\n"
    "Message-ID: <1@example.co.jp>\r\n"
    "\r\n"
    "Dear all\r\n";

struct Fixture {
  std::string dir = "/tmp/preflight-decide-test-" + std::to_string(getpid());
  std::shared_ptr<policy::Policy> policy;
  std::shared_ptr<store::Store> st;
  std::unique_ptr<queue::Queue> q;

  // `reinject`: where released mail goes (the default port has no listener in tests).
  explicit Fixture(queue::SmtpTarget reinject = {}) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    auto compiled = compile_policy();
    policy = std::make_shared<policy::Policy>(*compiled.policy);
    st = *store::open_sqlite(dir + "/preflight.db");
    queue::QueueSettings qs{dir + "/spool", reinject, "preflight@localhost", 120, [this] { return policy; }};
    q = std::make_unique<queue::Queue>(st, qs, nullptr, [] { return std::int64_t{1'800'000'000}; });
    REQUIRE(q->prepare_and_reconcile().ok());
  }
  ~Fixture() { std::filesystem::remove_all(dir); }

  static policy::CompileResult compile_policy() {
    auto r = policy::compile_text(kPolicy, "p.yaml");
    for (const auto& e : r.errors) INFO(e.str());
    REQUIRE(r.policy);
    return r;
  }

  // Runs the message through the engine and the plan, and holds it as the milter would.
  std::string hold(const std::string& raw_text, const std::vector<std::string>& rcpts) {
    mail::Envelope env;
    env.sender = mail::parse_addr_spec("taro@example.co.jp");
    for (const auto& r : rcpts) env.recipients.push_back(mail::parse_addr_spec(r));
    auto msg = mail::parse_message(raw_text);
    REQUIRE(msg.ok());
    auto ev = engine::evaluate(*policy, env, *msg, detect::NoContext{});
    auto plan = action::plan(ev.verdict, *msg, policy->organisation);
    REQUIRE(plan.disposition == action::Disposition::Hold);
    util::SpillBuffer raw(1 << 20, dir);
    REQUIRE(raw.append(raw_text).empty());
    auto id = q->hold({env, *msg, raw, ev.verdict, ev.facts, plan, *policy});
    REQUIRE(id.ok());
    return *id;
  }

  store::HeldMessage get(const std::string& id) {
    auto m = st->get(id);
    REQUIRE(m.ok());
    REQUIRE(m->has_value());
    return **m;
  }

  // The message as it would be re-injected: the stored edits applied to the spooled bytes.
  std::string released_form(const std::string& id) {
    auto edits = action::edits_from_json(get(id).edits_json);
    REQUIRE(edits);
    return action::apply_edits(*q->spool().load(id), *edits);
  }
};

const std::vector<std::string> kRcpts = {"a@customer-a.co.jp", "b@customer-b.co.jp", "hanako@example.co.jp",
                                          "c@exarnple.co.jp"};

std::string header_block(const std::string& raw) { return raw.substr(0, raw.find("\r\n\r\n")); }

}  // namespace

TEST_CASE("approve as Bcc: offered by allow_bcc, hides the external To/Cc addresses when chosen") {
  Fixture f;
  std::string id = f.hold(kVisible, kRcpts);
  auto details = nlohmann::json::parse(f.get(id).details_json);
  const auto& option = details["bcc_option"];
  REQUIRE(option.is_object());
  CHECK(option["scope"] == "external");
  CHECK(option["hidden"] ==
        nlohmann::json::array({"a@customer-a.co.jp", "b@customer-b.co.jp", "c@exarnple.co.jp"}));

  std::string plain = header_block(f.released_form(id));
  CHECK(plain.find("a@customer-a.co.jp") != std::string::npos);  // approving plainly changes nothing

  auto r = f.q->decide({id, queue::Decision::Approve, "boss@example.co.jp", "192.0.2.1", "ok as bcc", false, true});
  REQUIRE(r.ok());
  CHECK(*r == store::State::Approved);
  std::string headers = header_block(f.released_form(id));
  for (const char* hidden : {"a@customer-a.co.jp", "b@customer-b.co.jp", "c@exarnple.co.jp"})
    CHECK(headers.find(hidden) == std::string::npos);
  CHECK(headers.find("To: \"Hanako\" <hanako@example.co.jp>") != std::string::npos);
  CHECK(headers.find("Bcc") == std::string::npos);  // never a Bcc header: Postfix would deliver it to everyone
  CHECK(headers.find("X-Preflight-Verdict: approve") != std::string::npos);
  CHECK(f.get(id).recipients.size() == 4);  // the envelope is untouched: everybody still receives it

  auto trail = f.st->audit_trail(id);
  REQUIRE(trail.ok());
  CHECK(trail->back().action == "approve as bcc");
  CHECK(trail->back().actor == "boss@example.co.jp");
}

TEST_CASE("a release learns exposure from the mail as it left: none when approved as Bcc, its To/Cc otherwise") {
  struct Row {
    bool as_bcc;
    std::int64_t exposed;     // a, b and c are external envelope recipients who see each other
    bool a_visible_in_thread;  // the thread record holds what the recipients saw
  };
  for (const Row& row : {Row{true, 0, false}, Row{false, 3, true}}) {
    CAPTURE(row.as_bcc);
    SmtpSink sink;
    queue::SmtpTarget reinject;
    reinject.port = sink.port();
    reinject.timeout_seconds = 5;
    Fixture f(reinject);
    std::string id = f.hold(kVisible, kRcpts);
    REQUIRE(f.q->decide({id, queue::Decision::Approve, "boss@example.co.jp", "192.0.2.1", "", false, row.as_bcc}).ok());
    REQUIRE(f.q->release_ready() == 1);
    REQUIRE(sink.messages().size() == 1);
    CHECK((header_block(sink.messages()[0]).find("a@customer-a.co.jp") != std::string::npos) == !row.as_bcc);
    CHECK(*f.st->exposed_since("taro@example.co.jp", 0) == row.exposed);
    auto threads = f.st->threads({"<1@example.co.jp>"});
    REQUIRE(threads.ok());
    REQUIRE(threads->size() == 1);
    const auto& visible = threads->front().visible;
    CHECK((std::find(visible.begin(), visible.end(), "a@customer-a.co.jp") != visible.end()) == row.a_visible_in_thread);
    CHECK(std::find(visible.begin(), visible.end(), "hanako@example.co.jp") != visible.end());
    CHECK(f.st->history("taro@example.co.jp", "a@customer-a.co.jp")->has_value());  // history learns either way
  }
}

TEST_CASE("approve as Bcc is refused when the policy did not offer it, and the mail stays held") {
  Fixture f;
  std::string raw =
      "From: taro@example.co.jp\r\nTo: a@customer-a.co.jp\r\nSubject: file\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
      "--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=a.bin\r\n\r\n"
      "xyz\r\n--b--\r\n";
  std::string id = f.hold(raw, {"a@customer-a.co.jp"});
  CHECK(nlohmann::json::parse(f.get(id).details_json)["bcc_option"].is_null());
  auto r = f.q->decide({id, queue::Decision::Approve, "boss@example.co.jp", "192.0.2.1", "", false, true});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().find("does not offer") != std::string::npos);
  CHECK(f.get(id).state == store::State::Held);
  auto reject_bcc = f.q->decide({id, queue::Decision::Reject, "boss@example.co.jp", "192.0.2.1", "", false, true});
  CHECK_FALSE(reject_bcc.ok());  // Bcc belongs to approve only
  CHECK(f.get(id).state == store::State::Held);
}

TEST_CASE("recipient marks come from the facts, whether or not a rule looked at them") {
  Fixture f;  // no rule of this policy refers to look-alike domains or first-time recipients
  std::string id = f.hold(kVisible, kRcpts);
  auto details = nlohmann::json::parse(f.get(id).details_json);
  std::map<std::string, nlohmann::json> marks;
  for (const auto& r : details["recipients"]) marks[r["address"]] = r;
  REQUIRE(marks.size() == 4);
  CHECK(marks["c@exarnple.co.jp"]["lookalike"] == true);  // rn/m: one of the organisation's own domains
  CHECK(marks["c@exarnple.co.jp"]["lookalike_of"] == "example.co.jp (confusable)");
  CHECK(marks["a@customer-a.co.jp"]["lookalike"] == false);
  CHECK(marks["a@customer-a.co.jp"]["first_time"] == true);  // no history at all
  CHECK(marks["hanako@example.co.jp"]["external"] == false);
  CHECK(marks["hanako@example.co.jp"]["first_time"] == false);
  int header_marks = 0;
  for (const auto& r : details["header_recipients"]) header_marks += r["lookalike"].get<bool>();
  CHECK(header_marks == 1);
}

TEST_CASE("an expired message that was not returned (a failure between the two steps) is returned by the next pass") {
  Fixture f;
  std::string raw = "From: taro@example.co.jp\r\nTo: a@customer-a.co.jp, b@customer-b.co.jp, c@customer-c.co.jp\r\n"
                    "Subject: stranded\r\n\r\nhi\r\n";
  std::string id = f.hold(raw, {"a@customer-a.co.jp", "b@customer-b.co.jp", "c@customer-c.co.jp"});
  REQUIRE(f.get(id).release_on_expiry == false);
  // As if the scheduler stopped right after "expire": held -> expired, but not yet -> returned.
  REQUIRE(*f.st->transition(id, store::State::Held, store::State::Expired, {id, 1, "scheduler", "", "expire", "", "", ""}));
  f.q->tick();
  CHECK(f.get(id).state == store::State::Returned);
  CHECK(f.st->audit_trail(id)->back().action == "return");
}
