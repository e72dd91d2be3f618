// Exposure that means exposure: an external address counts as exposed only when the mail as it left
// showed it to another external recipient. Mail runs in time order through the shipped checklist policy
// as the milter runs it (evaluate, plan, and for mail that leaves now record_sent with the To/Cc the plan
// left), against a real SQLite store: the split mass mailings of the incidents are still caught, ordinary
// one-to-one traffic and a newsletter rewritten to Bcc are not.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>

#include "preflight/action/plan.hpp"
#include "preflight/context/store_context.hpp"
#include "preflight/detect/recipients.hpp"
#include "preflight/engine/engine.hpp"
#include "preflight/mail/parse.hpp"
#include "preflight/policy/compile.hpp"
#include "preflight/util/strings.hpp"

using namespace preflight;

namespace {

constexpr const char* kSender = "hanako@example.co.jp";
constexpr std::int64_t kStart = 1'800'000'000;

// Distinct customer addresses at one of `companies` companies. Local parts and company names look
// random, so no address is a typo of another and no company domain a look-alike of another.
std::uint64_t mix(std::uint64_t x) {  // splitmix64's finaliser: neighbouring inputs, unrelated outputs
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string letters(std::uint64_t x, int n) {
  std::string out;
  for (int i = 0; i < n; ++i, x /= 26) out += static_cast<char>('a' + x % 26);
  return out;
}

std::string customer(int i, int companies = 40) {
  return letters(mix(static_cast<std::uint64_t>(i)), 12) + "@" +
         letters(mix(static_cast<std::uint64_t>(i % companies) + (1ULL << 40)), 10) + ".co.jp";
}

std::vector<std::string> customers(int from, int n, int companies = 40) {
  std::vector<std::string> out;
  for (int i = from; i < from + n; ++i) out.push_back(customer(i, companies));
  return out;
}

struct Outcome {
  policy::Action action;
  std::vector<std::string> rules;
  std::int64_t recent = 0;  // sender.recent_visible_external
  bool left = false;        // delivered now (not held)
  bool flagged(const char* rule) const { return std::find(rules.begin(), rules.end(), rule) != rules.end(); }
};

// The gateway: the shipped policy, a real store file, and the milter's steps for each mail.
class Gateway {
 public:
  Gateway() {
    auto compiled = policy::compile_files({std::string(PREFLIGHT_SOURCE_DIR) + "/policies/checklist.yaml"});
    for (const auto& e : compiled.errors) INFO(e.str());
    REQUIRE(compiled.policy);
    policy_ = *compiled.policy;
    auto st = store::open_sqlite(db_);
    REQUIRE(st.ok());
    store_ = std::move(*st);
  }
  ~Gateway() {
    for (const char* s : {"", "-wal", "-shm"}) unlink((db_ + s).c_str());
  }

  // One mail from kSender at `at`: `to` in its To header, `bcc` only in the envelope.
  Outcome send(const std::vector<std::string>& to, const std::vector<std::string>& bcc, std::int64_t at) {
    mail::Envelope env;
    env.sender = mail::parse_addr_spec(kSender);
    for (const auto& r : to) env.recipients.push_back(mail::parse_addr_spec(r));
    for (const auto& r : bcc) env.recipients.push_back(mail::parse_addr_spec(r));
    std::string raw = std::string("From: ") + kSender + "\r\nTo: " +
                      (to.empty() ? "undisclosed-recipients:;" : util::join(to, ", ")) + "\r\nSubject: ご案内\r\n" +
                      "Message-ID: <" + std::to_string(++sent_) + "@example.co.jp>\r\n\r\nお世話になっております。\r\n";
    auto msg = mail::parse_message(raw);
    REQUIRE(msg.ok());
    context::StoreContext ctx(store_, domains_, policy_.organisation.split_window_seconds, at);
    auto ev = engine::evaluate(policy_, env, *msg, ctx);
    auto plan = action::plan(ev.verdict, *msg, policy_.organisation);
    Outcome out{ev.verdict.action, ev.verdict.rule_ids(policy::Mode::Enforce),
                std::get<std::int64_t>(*ev.facts.get("sender.recent_visible_external")),
                plan.disposition == action::Disposition::Continue};
    if (out.left)
      context::record_sent(*store_, env, *msg, action::shown_to_cc(*msg, plan.edits), policy_.organisation, at);
    return out;
  }

  std::int64_t exposed_since(std::int64_t since) { return *store_->exposed_since(kSender, since); }

 private:
  std::string db_ = "/tmp/preflight-exposure-" + std::to_string(getpid()) + ".db";
  policy::Policy policy_;
  std::shared_ptr<store::Store> store_;
  std::shared_ptr<context::DomainCache> domains_ = std::make_shared<context::DomainCache>();
  int sent_ = 0;
};

}  // namespace

TEST_CASE("exposed_external counts the To/Cc addresses another external envelope recipient sees") {
  detect::Organisation org;
  org.internal_domains = {"example.co.jp"};
  struct Row {
    const char* what;
    std::vector<const char*> shown, rcpts;
    std::int64_t exposed;
  };
  const std::vector<Row> rows = {
      {"a lone external recipient in To is exposed to nobody", {"a@x.com"}, {"a@x.com"}, 0},
      {"one external in To with two external Bcc recipients is exposed to them", {"a@x.com"},
       {"a@x.com", "b@y.com", "c@z.com"}, 1},
      {"two externals in To see each other", {"a@x.com", "b@y.com"}, {"a@x.com", "b@y.com"}, 2},
      {"colleagues in Cc and Bcc are no exposure", {"a@x.com", "boss@example.co.jp"},
       {"a@x.com", "boss@example.co.jp", "sales@example.co.jp"}, 0},
      {"an address shown to the one external recipient who is someone else", {"a@x.com"}, {"b@y.com"}, 1},
      {"the same address twice, in another case, counts once", {"a@x.com", "A@X.COM", "b@y.com"},
       {"a@x.com", "b@y.com"}, 2},
      {"a mail rewritten to Bcc shows nothing", {}, {"a@x.com", "b@y.com"}, 0},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    std::vector<mail::Address> shown, rcpts;
    for (const char* a : row.shown) shown.push_back(mail::parse_addr_spec(a));
    for (const char* a : row.rcpts) rcpts.push_back(mail::parse_addr_spec(a));
    CHECK(detect::exposed_external(shown, rcpts, org) == row.exposed);
  }
}

TEST_CASE("700 mails of 10 visible addresses within an hour are each rewritten to Bcc and expose nobody as they leave") {
  Gateway g;
  int rewritten = 0, mails = 0;
  for (int first = 0; first < 6926; first += 10, ++mails) {
    auto out = g.send(customers(first, std::min(10, 6926 - first)), {}, kStart + mails * 5);
    rewritten += out.left && out.flagged("visible-external-to-bcc") && out.action >= policy::Action::Bcc;
  }
  CHECK(mails == 693);
  CHECK(rewritten == 693);  // the last one, 6 addresses at 6 companies, too (4 companies are enough)
  CHECK(g.exposed_since(0) == 0);
}

// At three companies, so visible-external-to-bcc (10 addresses or 4 companies) lets each mail leave as written.
TEST_CASE("mails of 9 visible addresses reach split-mass-mailing before 100 addresses are exposed") {
  Gateway g;
  int first_flagged = 0;
  for (int i = 1; i <= 40; ++i) {
    std::int64_t at = kStart + i * 5;
    std::int64_t before = g.exposed_since(0);
    auto out = g.send(customers(i * 9, 9, 3), {}, at);
    CAPTURE(i);
    if (!out.flagged("split-mass-mailing")) {
      CHECK(first_flagged == 0);  // once flagged, every later mail of the hour is flagged too
      CHECK(out.left);
      CHECK(out.recent == before + 9);
      continue;
    }
    if (first_flagged == 0) {
      first_flagged = i;
      CHECK(before == 99);
    }
    CHECK_FALSE(out.left);  // held for approval: exposes nothing until released
    CHECK(out.action == policy::Action::Approve);
  }
  CHECK(first_flagged == 12);
  CHECK(g.exposed_since(0) == 99);
}

TEST_CASE("400 addresses as two mails of 200 visible are both held as split-mass-mailing") {
  Gateway g;
  for (int i = 0; i < 2; ++i) {
    auto out = g.send(customers(i * 200, 200), {}, kStart + i * 60);
    CAPTURE(i);
    CHECK(out.flagged("split-mass-mailing"));
    CHECK(out.recent == 200);  // its own exposure: nothing left before it
    CHECK(out.action == policy::Action::Approve);
    CHECK_FALSE(out.left);
  }
  CHECK(g.exposed_since(0) == 0);
}

TEST_CASE("ordinary traffic never trips split-mass-mailing") {
  struct Row {
    const char* what;
    int newsletter;  // visible addresses of a first mail rewritten to Bcc (0: none)
    int one_to_one;  // then this many mails to one customer each
  };
  for (const Row& row : {Row{"150 one-to-one mails in an hour", 0, 150},
                         Row{"a newsletter rewritten to Bcc, then 100 one-to-one mails", 60, 100}}) {
    INFO(row.what);
    Gateway g;
    if (row.newsletter > 0) {
      auto out = g.send(customers(10000, row.newsletter), {}, kStart);
      CHECK(out.flagged("visible-external-to-bcc"));
      CHECK(out.left);
      CHECK(g.exposed_since(0) == 0);  // it left with no external address in To/Cc
    }
    int stopped = 0, counted = 0;
    for (int i = 0; i < row.one_to_one; ++i) {
      auto out = g.send({customer(i)}, {}, kStart + 10 + i * 20);
      stopped += out.action >= policy::Action::Bcc;
      counted += out.recent != 0 || out.flagged("split-mass-mailing");
    }
    CHECK(stopped == 0);
    CHECK(counted == 0);
    CHECK(g.exposed_since(0) == 0);
  }
}

TEST_CASE("one visible customer with others in Bcc counts as one exposure, and adds up over the window") {
  Gateway g;
  for (int i = 0; i < 3; ++i) {
    auto out = g.send({customer(i * 10)}, customers(i * 10 + 1, 4), kStart + i * 60);
    CHECK(out.recent == i + 1);  // what earlier mails exposed, plus this one's address
    CHECK(out.left);
  }
  CHECK(g.exposed_since(0) == 3);
  CHECK(g.exposed_since(kStart + 1) == 2);
}
