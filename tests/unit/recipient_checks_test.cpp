// Checklist detectors over recipients and threads, with an in-memory context standing in for history.
#include <doctest/doctest.h>

#include <map>

#include "preflight/detect/lookalike.hpp"
#include "preflight/detect/recipient_checks.hpp"
#include "preflight/mail/parse.hpp"

using namespace preflight;
using detect::StringList;

namespace {

// History, names and threads held in maps: the same answers the store would give.
class MemoryContext final : public detect::Context {
 public:
  std::map<std::pair<std::string, std::string>, std::int64_t> sent;
  std::map<std::string, std::int64_t> domains;  // organisational domain -> deliveries
  std::vector<std::string> hosts;                // hosts below them that history knows
  std::vector<detect::KnownAddress> addresses;
  std::vector<detect::ThreadRecord> records;
  std::int64_t exposed = 0;

  std::int64_t sent_to(const std::string& s, const std::string& a) const override {
    auto it = sent.find({s, a});
    return it == sent.end() ? 0 : it->second;
  }
  std::int64_t sent_to_domain(const std::string& d) const override {
    auto it = domains.find(d);
    return it == domains.end() ? 0 : it->second;
  }
  std::shared_ptr<const detect::DomainIndex> known_domains() const override {
    std::vector<std::string> out;
    for (const auto& [d, _] : domains) out.push_back(d);
    out.insert(out.end(), hosts.begin(), hosts.end());
    return std::make_shared<const detect::DomainIndex>(out);
  }
  detect::KnownAddressList known_addresses_at(const std::string& d) const override {
    auto out = std::make_shared<std::vector<detect::KnownAddress>>();
    for (const auto& a : addresses)
      if (a.address.ends_with("@" + d)) out->push_back(a);
    return out;
  }
  std::vector<detect::KnownAddress> known_by_name(const std::string& n) const override {
    std::vector<detect::KnownAddress> out;
    for (const auto& a : addresses)
      if (a.display_name == n) out.push_back(a);
    return out;
  }
  std::vector<detect::ThreadRecord> threads(const std::vector<std::string>& ids) const override {
    std::vector<detect::ThreadRecord> out;
    for (const auto& r : records)
      for (const auto& id : ids)
        if (r.message_id == id) out.push_back(r);
    return out;
  }
  std::int64_t recently_exposed(const std::string&) const override { return exposed; }
};

detect::Organisation org() {
  detect::Organisation o;
  o.internal_domains = {"example.co.jp"};
  o.mailing_lists = {"all@*", "ml-*@example.co.jp", "*-list@*"};
  o.important = {"*@bigclient.co.jp"};
  o.partners = {{"株式会社サンプル商事", {"サンプル商事", "Sample Trading"}, {"sample.co.jp"}, {}},
                {"テスト工業株式会社", {"テスト工業"}, {"test-kogyo.co.jp"}, {}}};
  for (auto& p : o.partners) detect::prepare_partner(p);
  return o;
}

struct Case {
  mail::Envelope env;
  mail::Message msg;
  detect::Facts facts;
};

Case run(const std::vector<std::string>& rcpts, const std::string& raw, const MemoryContext& ctx) {
  Case c;
  c.env.sender = mail::parse_addr_spec("taro@example.co.jp");
  for (const auto& r : rcpts) c.env.recipients.push_back(mail::parse_addr_spec(r));
  auto m = mail::parse_message(raw);
  REQUIRE(m.ok());
  c.msg = *m;
  auto o = org();
  detect::history_facts(c.env, c.msg, o, ctx, c.facts);
  detect::thread_facts(c.env, c.msg, o, ctx, c.facts);
  detect::list_facts(c.env, c.msg, o, ctx, c.facts);
  return c;
}

StringList list(const Case& c, const char* name) { return std::get<StringList>(*c.facts.get(name)); }
bool flag(const Case& c, const char* name) { return std::get<bool>(*c.facts.get(name)); }
std::int64_t num(const Case& c, const char* name) { return std::get<std::int64_t>(*c.facts.get(name)); }

}  // namespace

TEST_CASE("edit distance counts transpositions as one edit, over code points") {
  CHECK(detect::edit_distance("example", "exmaple") == 1);
  CHECK(detect::edit_distance("example", "examples") == 1);
  CHECK(detect::edit_distance("例え", "例え") == 0);
  CHECK(detect::edit_distance("例え", "例ぇ") == 1);
  CHECK(detect::edit_distance("", "abc") == 3);
}

TEST_CASE("look-alike domains: typo, swapped suffix, confusables, mixed scripts") {
  std::vector<std::string> known = {"example.co.jp", "sample.co.jp", "modern.com"};
  auto how = [&](const std::string& d) {
    auto l = detect::find_lookalikes(d, known);
    return l.empty() ? std::string("-") : l[0].how + ":" + l[0].known;
  };
  CHECK(how("exmaple.co.jp") == "typo:example.co.jp");
  CHECK(how("example.com") == "suffix:example.co.jp");
  CHECK(how("mail.example.ne.jp") == "suffix:example.co.jp");
  CHECK(how("modem.com") == "confusable:modern.com");        // rn / m
  CHECK(how("samp1e.co.jp") == "confusable:sample.co.jp");   // 1 / l
  CHECK(how("xn--xample-9uf.co.jp") != "-");                 // Cyrillic е in "еxample"
  CHECK(how("example.co.jp") == "-");                        // known itself
  CHECK(how("unrelated.org") == "-");
  CHECK(detect::mixed_script("xn--xample-9uf.co.jp"));
  CHECK_FALSE(detect::mixed_script("例え.jp"));
}

TEST_CASE("first-time recipients per sender and organisation-wide") {
  MemoryContext ctx;
  ctx.sent[{"taro@example.co.jp", "old@partner.com"}] = 3;
  ctx.domains["partner.com"] = 3;
  auto c = run({"old@partner.com", "new@partner.com", "x@fresh.co.jp", "colleague@example.co.jp"},
               "To: old@partner.com\r\n\r\nb\r\n", ctx);
  CHECK(list(c, "recipients.first_time") == StringList{"new@partner.com", "x@fresh.co.jp"});
  CHECK(num(c, "recipients.first_time_count") == 2);
  CHECK(list(c, "recipients.first_time_domains") == StringList{"fresh.co.jp"});
}

TEST_CASE("a typo of a known address and a same-name person at another company") {
  MemoryContext ctx;
  ctx.domains["partner.com"] = 5;
  ctx.domains["other.co.jp"] = 1;
  ctx.addresses = {{"yamada.taro@partner.com", "山田 太郎"}, {"suzuki@other.co.jp", "鈴木 一郎"}};
  ctx.sent[{"taro@example.co.jp", "suzuki@other.co.jp"}] = 1;  // the 鈴木 taro's autocomplete offers
  auto c = run({"yamada.tar@partner.com", "suzuki@wrong.co.jp"},
               "To: yamada.tar@partner.com, =?UTF-8?B?6Yi05pyoIOS4gOmDjg==?= <suzuki@wrong.co.jp>\r\n\r\nb\r\n", ctx);
  CHECK(list(c, "recipients.address_typo") == StringList{"yamada.tar@partner.com ~ yamada.taro@partner.com"});
  CHECK(list(c, "recipients.same_name_elsewhere") ==
        StringList{"鈴木 一郎 <suzuki@wrong.co.jp> known as suzuki@other.co.jp"});
}

TEST_CASE("a correspondent of the sender is who they meant, whoever else shares the name") {
  MemoryContext ctx;
  ctx.domains["other.co.jp"] = 1;
  ctx.domains["wrong.co.jp"] = 3;
  ctx.addresses = {{"suzuki@other.co.jp", "鈴木 一郎"}, {"suzuki@wrong.co.jp", "鈴木 一郎"}};
  const std::string raw = "To: =?UTF-8?B?6Yi05pyoIOS4gOmDjg==?= <suzuki@wrong.co.jp>\r\n\r\nb\r\n";
  // A namesake only colleagues wrote to is not in this sender's autocomplete.
  CHECK(list(run({"suzuki@wrong.co.jp"}, raw, ctx), "recipients.same_name_elsewhere").empty());
  ctx.sent[{"taro@example.co.jp", "suzuki@other.co.jp"}] = 1;
  CHECK(list(run({"suzuki@wrong.co.jp"}, raw, ctx), "recipients.same_name_elsewhere").size() == 1);
  ctx.sent[{"taro@example.co.jp", "suzuki@wrong.co.jp"}] = 2;
  CHECK(list(run({"suzuki@wrong.co.jp"}, raw, ctx), "recipients.same_name_elsewhere").empty());
}

TEST_CASE("a guest whom colleagues write to is first-time for the sender but not for the organisation") {
  MemoryContext ctx;
  ctx.domains["client.co.jp"] = 9;
  ctx.addresses = {{"guest@client.co.jp", "Guest"}};
  auto c = run({"guest@client.co.jp", "stranger@client.co.jp"},
               "To: guest@client.co.jp, stranger@client.co.jp\r\n\r\nb\r\n", ctx);
  CHECK(num(c, "recipients.first_time_count") == 2);
  CHECK(list(c, "recipients.first_time_org") == StringList{"stranger@client.co.jp"});
  CHECK(num(c, "recipients.first_time_org_count") == 1);
}

TEST_CASE("at a free-mail provider only the sender's own correspondents can be mistyped") {
  MemoryContext ctx;
  ctx.domains["nifty.com"] = 40;
  ctx.domains["partner.com"] = 5;
  ctx.addresses = {{"okamoto1998@nifty.com", ""}, {"yamada.taro@partner.com", ""}};
  auto c = run({"sakamoto1998@nifty.com", "yamada.tar@partner.com"},
               "To: sakamoto1998@nifty.com, yamada.tar@partner.com\r\n\r\nb\r\n", ctx);
  CHECK(list(c, "recipients.address_typo") == StringList{"yamada.tar@partner.com ~ yamada.taro@partner.com"});
  ctx.sent[{"taro@example.co.jp", "okamoto1998@nifty.com"}] = 1;
  c = run({"sakamoto1998@nifty.com"}, "To: sakamoto1998@nifty.com\r\n\r\nb\r\n", ctx);
  CHECK(list(c, "recipients.address_typo") == StringList{"sakamoto1998@nifty.com ~ okamoto1998@nifty.com"});
}

TEST_CASE("reply and forward subjects as Japanese and other mailers write them") {
  CHECK(detect::is_reply_subject("Re: 見積"));
  CHECK(detect::is_reply_subject("ＲＥ： 見積"));
  CHECK(detect::is_reply_subject("[営業] 返信: 見積"));
  CHECK(detect::is_forward_subject("FW: 見積"));
  CHECK(detect::is_forward_subject("転送: 見積"));
  CHECK_FALSE(detect::is_reply_subject("Report for May"));
  CHECK_FALSE(detect::is_forward_subject("Forward planning"));
}

TEST_CASE("thread-aware: a reply-all adding an outsider, an internal thread forwarded out, a Bcc copy") {
  MemoryContext ctx;
  ctx.records = {{"<t1@example.co.jp>", "boss@example.co.jp", {"boss@example.co.jp", "a@partner.com"},
                  {"a@partner.com", "taro@example.co.jp"}},
                 {"<t2@example.co.jp>", "boss@example.co.jp", {"boss@example.co.jp", "hanako@example.co.jp"},
                  {"hanako@example.co.jp"}}};
  auto reply = run({"a@partner.com", "boss@example.co.jp", "new@elsewhere.com"},
                   "Subject: Re: plan\r\nIn-Reply-To: <t1@example.co.jp>\r\n"
                   "To: a@partner.com, boss@example.co.jp, new@elsewhere.com\r\n\r\nb\r\n", ctx);
  CHECK(flag(reply, "thread.known"));
  CHECK(list(reply, "thread.new_external") == StringList{"new@elsewhere.com"});
  CHECK(flag(reply, "thread.bcc_reply_all"));  // taro got t1 only as Bcc
  CHECK_FALSE(flag(reply, "thread.internal_to_external"));
  auto fwd = run({"x@partner.com"}, "Subject: Fwd: salaries\r\nReferences: <t2@example.co.jp>\r\nTo: x@partner.com\r\n\r\nb\r\n",
                 ctx);
  CHECK(flag(fwd, "message.forward"));
  CHECK(flag(fwd, "thread.internal_to_external"));
  auto fresh = run({"x@partner.com"}, "Subject: Re: hi\r\nTo: x@partner.com\r\n\r\nb\r\n", ctx);
  CHECK(flag(fresh, "message.reply"));
  CHECK_FALSE(flag(fresh, "thread.known"));
  CHECK(list(fresh, "thread.new_external").empty());
}

TEST_CASE("mailing lists, important recipients and split mass mailing") {
  MemoryContext ctx;
  ctx.exposed = 690;
  auto c = run({"all@example.co.jp", "sales-list@partner.com", "ceo@bigclient.co.jp", "a@p1.com", "b@p2.com"},
               "To: a@p1.com, b@p2.com\r\nCc: ceo@bigclient.co.jp\r\n\r\nb\r\n", ctx);
  CHECK(list(c, "recipients.mailing_list") == StringList{"all@example.co.jp", "sales-list@partner.com"});
  CHECK(list(c, "recipients.important") == StringList{"ceo@bigclient.co.jp"});
  CHECK(num(c, "sender.recent_visible_external") == 693);
  // A mail that exposes nobody is no part of a split mass mailing, however much the sender exposed before.
  auto alone = run({"a@p1.com", "boss@example.co.jp"}, "To: a@p1.com\r\nCc: boss@example.co.jp\r\n\r\nb\r\n", ctx);
  CHECK(num(alone, "sender.recent_visible_external") == 0);
  auto bcc = run({"a@p1.com", "b@p2.com"}, "To: a@p1.com\r\n\r\nb\r\n", ctx);
  CHECK(num(bcc, "sender.recent_visible_external") == 691);  // a@p1.com is shown to b@p2.com
}

TEST_CASE("a mail to one partner naming another partner is a company mismatch") {
  MemoryContext ctx;
  auto wrong = run({"tanaka@sample.co.jp"},
                   "To: tanaka@sample.co.jp\r\nSubject: =?UTF-8?B?44OG44K544OI5bel5qWt5qeY?=\r\n\r\n"
                   "テスト工業株式会社 田中様\r\n", ctx);
  CHECK(list(wrong, "content.company_mismatch") == StringList{"テスト工業株式会社"});
  auto right = run({"tanaka@sample.co.jp"}, "To: tanaka@sample.co.jp\r\n\r\nサンプル商事 田中様\r\n", ctx);
  CHECK(list(right, "content.companies_mentioned") == StringList{"株式会社サンプル商事"});
  CHECK(list(right, "content.company_mismatch").empty());
}

TEST_CASE("a look-alike is listed once even when history also knows the internal and partner domains") {
  MemoryContext ctx;
  ctx.domains["example.co.jp"] = 4;  // colleagues at another site: the internal domain is in history too
  ctx.domains["sample.co.jp"] = 2;   // and so is the partner's
  auto c = run({"hanako@exmaple.co.jp", "tanaka@sanple.co.jp"}, "To: hanako@exmaple.co.jp\r\n\r\nb\r\n", ctx);
  CHECK(list(c, "recipients.lookalike") ==
        StringList{"exmaple.co.jp ~ example.co.jp (typo)", "sanple.co.jp ~ sample.co.jp (typo)"});
  CHECK(num(c, "recipients.lookalike_count") == 2);
}
