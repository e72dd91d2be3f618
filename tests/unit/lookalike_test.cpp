// Look-alike domains: the definition case by case, the index against the one-by-one scan, and learning:
// a domain the organisation has written to (or released held mail to) resembles nothing any more.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <random>

#include "preflight/context/store_context.hpp"
#include "preflight/detect/lookalike.hpp"
#include "preflight/detect/recipient_checks.hpp"
#include "preflight/mail/parse.hpp"
#include "preflight/util/strings.hpp"

using namespace preflight;
using detect::StringList;

namespace {

// Every look-alike as "known (how)", joined: the scan and the index must both give exactly this.
std::string render(const std::vector<detect::LookAlike>& found) {
  std::vector<std::string> parts;
  for (const auto& l : found) parts.push_back((l.known.empty() ? "" : l.known + " ") + "(" + l.how + ")");
  return parts.empty() ? "-" : util::join(parts, ", ");
}

struct LookAlikeCase {
  const char* recipient;
  const char* expected;  // render() of the answer, "-" for none
};

void check_cases(const std::vector<std::string>& known, const std::vector<LookAlikeCase>& cases) {
  detect::DomainIndex index(known);
  for (const auto& c : cases) {
    INFO(std::string(c.recipient));
    CHECK(render(detect::find_lookalikes(c.recipient, known)) == std::string(c.expected));
    CHECK(render(index.find(c.recipient)) == std::string(c.expected));
  }
}

const std::vector<std::string> kKnown = {"example.co.jp", "sample.co.jp", "modern.com",   "gmail.com",
                                         "hotmail.com",   "outlook.com",  "docomo.ne.jp", "yahoo.co.jp"};

}  // namespace

TEST_CASE("look-alikes of known organisational domains are reported with what they resemble and how") {
  check_cases(kKnown, {
                          {"exmaple.co.jp", "example.co.jp (typo)"},
                          {"example.com", "example.co.jp (suffix)"},
                          {"mail.example.ne.jp", "example.co.jp (suffix)"},
                          {"example-co.jp", "example.co.jp (dot-hyphen)"},
                          {"examp1e.co.jp", "example.co.jp (confusable)"},
                          {"exarnple.co.jp", "example.co.jp (confusable)"},
                          {"mail.exarnple.co.jp", "example.co.jp (confusable)"},
                          {"modem.com", "modern.com (confusable)"},
                          {"samp1e.co.jp", "sample.co.jp (confusable)"},
                          {"xn--xample-9uf.co.jp", "(mixed-script), example.co.jp (confusable)"},
                          {"gmai1.com", "gmail.com (confusable)"},
                          {"gmial.com", "gmail.com (typo)"},
                          {"gmail.co.jp", "gmail.com (suffix)"},
                          {"hotmall.com", "hotmail.com (confusable)"},  // i and l fold together
                          {"hotmial.com", "hotmail.com (typo)"},
                      });
}

TEST_CASE("known domains, their subdomains, free-mail providers and strangers resemble nothing") {
  check_cases(kKnown, {
                          {"example.co.jp", "-"},
                          {"mail.example.co.jp", "-"},  // the same organisational domain
                          {"EXAMPLE.CO.JP.", "-"},
                          {"hotmail.co.jp", "-"},  // free mail next to free mail: hotmail.com
                          {"outlook.jp", "-"},
                          {"ymail.ne.jp", "-"},  // one letter from gmail, but both are free mail
                          {"ezweb.ne.jp", "-"},
                          {"googlemail.com", "-"},
                          {"unrelated.org", "-"},
                          {"ex.co.jp", "-"},  // too short to be a typo of anything
                      });
}

TEST_CASE("two edits, or an edit under another suffix, are two companies, not a look-alike") {
  check_cases({"heiwa-kagaku.co.jp", "toyo-seiyaku.co.jp", "kyoeikensetsu.co.jp", "sample.co.jp"},
              {
                  {"seiwa-kagaku.com", "-"},     // one letter and another suffix
                  {"tosa-seiyaku.co.jp", "-"},   // two letters
                  {"kyowakensetsu.net", "-"},    // two letters and another suffix
                  {"example.com", "-"},          // two edits from sample, another suffix
                  {"seiwa-kagaku.co.jp", "heiwa-kagaku.co.jp (typo)"},  // one letter: still asked
                  {"toyo-seiyak.co.jp", "toyo-seiyaku.co.jp (typo)"},
              });
}

TEST_CASE("whole host names are compared: dots for hyphens and added subdomain labels") {
  check_cases({"client.example.com", "example.co.jp"},
              {
                  {"client-example.com", "client.example.com (dot-hyphen)"},
                  {"sales.client-example.com", "client.example.com (dot-hyphen)"},
                  {"example-co.jp", "example.co.jp (dot-hyphen)"},
                  {"client.example.com", "-"},
                  {"www.client.example.com", "-"},
                  {"example.com", "-"},  // the organisational domain of a known host is known
                  {"other.example.com", "-"},
              });
}

TEST_CASE("the index, whole or as a base and a layer of added domains, gives the one-by-one scan's answers") {
  std::mt19937 rng(7);
  auto word = [&](int min, int max) {
    std::string w;
    for (int n = min + static_cast<int>(rng() % (max - min + 1)); n > 0; --n) w += "abcdeilmnorst01-"[rng() % 15];
    return w;
  };
  const char* suffixes[] = {"co.jp", "com", "jp", "ne.jp", "or.jp", "net"};
  std::vector<std::string> known = kKnown;
  for (int i = 0; i < 400; ++i)
    known.push_back((rng() % 4 == 0 ? word(2, 5) + "." : "") + word(3, 12) + "." + suffixes[rng() % 6]);
  // Queries: mutations of known names (one or two edits, confusables, dots, suffixes), and strangers.
  auto mutate = [&](std::string s) {
    for (int edits = 1 + static_cast<int>(rng() % 3); edits > 0 && s.size() > 3; --edits) {
      std::size_t at = rng() % (s.size() - 1);
      switch (rng() % 6) {
        case 0: s[at] = "abcdeilmnorst01"[rng() % 15]; break;
        case 1: s.erase(at, 1); break;
        case 2: s.insert(at, 1, "abcdeilmnorst"[rng() % 13]); break;
        case 3: std::swap(s[at], s[at + 1]); break;
        case 4: if (s[at] == '.') s[at] = '-'; else if (s[at] == '-') s[at] = '.'; break;
        default: s = s.substr(0, s.find('.') + 1) + suffixes[rng() % 6];
      }
    }
    return s;
  };
  detect::DomainIndex index(known);
  // What the domain cache builds when domains are added: the first ones indexed once, the rest as a layer.
  auto base = std::make_shared<const detect::DomainIndex>(std::vector<std::string>(known.begin(), known.end() - 150));
  detect::DomainIndex layered(base, std::vector<std::string>(known.end() - 150, known.end()));
  CHECK(layered.size() == index.size());
  int resembling = 0, kinds_typo = 0, kinds_other = 0;
  for (int i = 0; i < 1500; ++i) {
    std::string q = i % 5 == 0 ? word(3, 12) + ".com" : mutate(known[rng() % known.size()]);
    auto scanned = detect::find_lookalikes(q, known);
    INFO(q);
    CHECK(render(index.find(q)) == render(scanned));
    CHECK(render(layered.find(q)) == render(scanned));
    CHECK(layered.knows(detect::organisational_domain(q)) == index.knows(detect::organisational_domain(q)));
    resembling += !scanned.empty();
    for (const auto& l : scanned) (l.how == "typo" ? kinds_typo : kinds_other)++;
  }
  CHECK(resembling > 300);  // the sample really exercises the look-alike paths
  CHECK(kinds_typo > 100);
  CHECK(kinds_other > 50);
}

namespace {

struct TempStore {
  std::string path = "/tmp/preflight-lookalike-test-" + std::to_string(getpid()) + ".db";
  std::shared_ptr<store::Store> st;
  TempStore() {
    cleanup();
    auto s = store::open_sqlite(path);
    REQUIRE(s.ok());
    st = *s;
  }
  ~TempStore() {
    st.reset();
    cleanup();
  }
  void cleanup() {
    for (const char* s : {"", "-wal", "-shm"}) unlink((path + s).c_str());
  }
};

detect::Organisation organisation() {
  detect::Organisation o;
  o.internal_domains = {"example.co.jp"};
  o.partners = {{"株式会社サンプル商事", {"サンプル商事"}, {"sample.co.jp"}, {}}};
  for (auto& p : o.partners) detect::prepare_partner(p);
  return o;
}

struct Sent {
  mail::Envelope env;
  mail::Message msg;
};

Sent mail_to(const std::string& from, const std::string& to) {
  Sent s;
  s.env.sender = mail::parse_addr_spec(from);
  s.env.recipients.push_back(mail::parse_addr_spec(to));
  auto m = mail::parse_message("From: " + from + "\r\nTo: " + to + "\r\nSubject: x\r\n\r\nbody\r\n");
  REQUIRE(m.ok());
  s.msg = *m;
  return s;
}

detect::Facts facts_of(const Sent& s, const detect::Context& ctx) {
  detect::Facts f;
  detect::history_facts(s.env, s.msg, organisation(), ctx, f);
  return f;
}

StringList list(const detect::Facts& f, const char* name) { return std::get<StringList>(*f.get(name)); }

}  // namespace

TEST_CASE("a look-alike of the organisation's own domain has its own fact, a partner's look-alike does not") {
  TempStore t;
  auto cache = std::make_shared<context::DomainCache>();
  context::StoreContext ctx(t.st, cache, 3600, 1000);
  auto colleague = facts_of(mail_to("taro@example.co.jp", "hanako@exarnple.co.jp"), ctx);
  CHECK(list(colleague, "recipients.lookalike") == StringList{"exarnple.co.jp ~ example.co.jp (confusable)"});
  CHECK(list(colleague, "recipients.lookalike_internal") == StringList{"exarnple.co.jp ~ example.co.jp (confusable)"});
  CHECK(std::get<std::int64_t>(*colleague.get("recipients.lookalike_internal_count")) == 1);
  auto partner = facts_of(mail_to("taro@example.co.jp", "tanaka@sanple.co.jp"), ctx);
  CHECK(list(partner, "recipients.lookalike") == StringList{"sanple.co.jp ~ sample.co.jp (typo)"});
  CHECK(list(partner, "recipients.lookalike_internal").empty());
}

TEST_CASE("after mail to a look-alike left (accepted or released), it is known: no look-alike, no first time") {
  struct Row {
    const char* name;
    const char* recipient;
  };
  for (const Row& row : {Row{"a look-alike of the internal domain", "hanako@exarnple.co.jp"},
                         Row{"a look-alike of a partner", "tanaka@sanple.co.jp"},
                         Row{"a look-alike of a free-mail provider", "someone@gmai1.com"}}) {
    INFO(row.name);
    TempStore t;
    auto cache = std::make_shared<context::DomainCache>();
    context::record_sent(*t.st, mail_to("jiro@example.co.jp", "friend@gmail.com").env,
                         mail_to("jiro@example.co.jp", "friend@gmail.com").msg, {}, organisation(), 900);
    context::StoreContext ctx(t.st, cache, 3600, 1000);
    Sent s = mail_to("taro@example.co.jp", row.recipient);
    auto before = facts_of(s, ctx);
    CHECK(list(before, "recipients.lookalike").size() == 1);
    CHECK(list(before, "recipients.first_time_domains").size() == 1);
    // What Queue::learn does once the sender (or an approver) released the held mail.
    context::record_sent(*t.st, s.env, s.msg, {}, organisation(), 1001);
    auto after = facts_of(s, ctx);  // the same cache, not yet refreshed: history itself answers
    CHECK(list(after, "recipients.lookalike").empty());
    CHECK(list(after, "recipients.lookalike_internal").empty());
    CHECK(list(after, "recipients.first_time").empty());
    CHECK(list(after, "recipients.first_time_domains").empty());
    context::StoreContext later(t.st, cache, 3600, 1100);  // and after the refresh, the index knows it too
    CHECK(later.known_domains()->knows(detect::organisational_domain(s.env.recipients[0].domain)));
    // Another sender: the address is new to them, the organisation is not, nor is it a look-alike.
    auto other = facts_of(mail_to("saburo@example.co.jp", row.recipient), later);
    CHECK(list(other, "recipients.first_time").size() == 1);
    CHECK(list(other, "recipients.first_time_domains").empty());
    CHECK(list(other, "recipients.lookalike").empty());
  }
}

TEST_CASE("address typos are still found, but an address someone has written to is no typo") {
  TempStore t;
  auto cache = std::make_shared<context::DomainCache>();
  for (const char* a : {"yamada.taro@partner.com", "yamada.jiro@partner.com"}) {
    Sent s = mail_to("jiro@example.co.jp", a);
    context::record_sent(*t.st, s.env, s.msg, {}, organisation(), 900);
  }
  context::StoreContext ctx(t.st, cache, 3600, 1000);
  struct Row {
    const char* recipient;
    StringList typos;
  };
  for (const Row& row : {Row{"yamada.tar@partner.com", {"yamada.tar@partner.com ~ yamada.taro@partner.com"}},
                         Row{"yamada.jiro@partner.com", {}},  // known (jiro wrote to it), one edit from taro
                         Row{"suzuki@partner.com", {}}}) {
    INFO(row.recipient);
    CHECK(list(facts_of(mail_to("taro@example.co.jp", row.recipient), ctx), "recipients.address_typo") == row.typos);
  }
}

TEST_CASE("the domain cache builds its index again only when history gained an address") {
  TempStore t;
  auto cache = std::make_shared<context::DomainCache>();
  Sent first = mail_to("jiro@example.co.jp", "a@first-company.co.jp");
  context::record_sent(*t.st, first.env, first.msg, {}, organisation(), 900);
  auto i1 = cache->get(*t.st, 1000);
  CHECK(i1->knows("first-company.co.jp"));
  context::record_sent(*t.st, first.env, first.msg, {}, organisation(), 1050);  // the same address again
  auto i2 = cache->get(*t.st, 1100);
  CHECK(i2 == i1);
  Sent second = mail_to("jiro@example.co.jp", "b@second-company.co.jp");
  context::record_sent(*t.st, second.env, second.msg, {}, organisation(), 1150);
  CHECK(cache->get(*t.st, 1159) == i1);  // within the minute the index is not read again
  auto i3 = cache->get(*t.st, 1200);
  CHECK(i3 != i1);
  CHECK(i3->knows("second-company.co.jp"));
}

TEST_CASE("the domain cache's index, grown a layer per new domain and rebuilt, answers as one built at once") {
  TempStore t;
  auto cache = std::make_shared<context::DomainCache>();
  std::vector<std::string> domains;
  // One new domain a simulated minute: 64 layers over the first build, then a whole build, then layers again.
  for (int i = 0; i < 150; ++i) {
    domains.push_back("company" + std::to_string(i) + ".co.jp");
    Sent s = mail_to("jiro@example.co.jp", "a@" + domains.back());
    context::record_sent(*t.st, s.env, s.msg, {}, organisation(), 1000 + 60 * i);
    auto index = cache->get(*t.st, 1030 + 60 * i);
    INFO(domains.back());
    CHECK(index->knows(domains.back()));
  }
  auto grown = cache->get(*t.st, 1000 + 60 * 150);
  std::sort(domains.begin(), domains.end());
  detect::DomainIndex whole(domains);
  CHECK(grown->size() == whole.size());
  int resembling = 0;
  for (int i = 0; i < 150; ++i)
    for (const std::string& q : {"conpany" + std::to_string(i) + ".co.jp", "company" + std::to_string(i) + ".com",
                                 "company-" + std::to_string(i) + ".co.jp", "cornpany" + std::to_string(i) + ".co.jp"}) {
      INFO(q);
      CHECK(render(grown->find(q)) == render(whole.find(q)));
      resembling += !whole.find(q).empty();
    }
  CHECK(resembling > 400);  // the queries really resemble the known domains
}

TEST_CASE("an address a colleague wrote to is first-time for the sender, not for the organisation (store)") {
  TempStore t;
  Sent colleague = mail_to("jiro@example.co.jp", "guest@client-company.co.jp");
  context::record_sent(*t.st, colleague.env, colleague.msg, {}, organisation(), 900);
  context::StoreContext ctx(t.st, std::make_shared<context::DomainCache>(), 3600, 1000);
  auto f = facts_of(mail_to("taro@example.co.jp", "guest@client-company.co.jp"), ctx);
  CHECK(list(f, "recipients.first_time") == StringList{"guest@client-company.co.jp"});
  CHECK(list(f, "recipients.first_time_org").empty());
  auto g = facts_of(mail_to("taro@example.co.jp", "other@client-company.co.jp"), ctx);
  CHECK(list(g, "recipients.first_time_org") == StringList{"other@client-company.co.jp"});
}
