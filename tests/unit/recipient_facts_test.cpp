// Recipient, sender and message facts computed from an envelope and a parsed message.
#include <doctest/doctest.h>

#include "preflight/detect/recipients.hpp"
#include "preflight/mail/parse.hpp"

using namespace preflight;

namespace {
mail::Envelope envelope(const std::string& from, const std::vector<std::string>& rcpts) {
  mail::Envelope e;
  e.sender = mail::parse_addr_spec(from);
  for (const auto& r : rcpts) e.recipients.push_back(mail::parse_addr_spec(r));
  return e;
}

detect::Facts compute(const mail::Envelope& env, const std::string& raw) {
  detect::Organisation org;
  org.internal_domains = {"example.co.jp"};
  org.groups["sales"] = {"*@sales.example.co.jp"};
  auto msg = mail::parse_message(raw);
  REQUIRE(msg.ok());
  detect::Facts f;
  detect::sender_facts(env, org, f);
  detect::recipient_facts(env, *msg, org, f);
  detect::message_facts(*msg, f);
  return f;
}

std::int64_t num(const detect::Facts& f, const char* name) {
  REQUIRE(f.get(name));
  return std::get<std::int64_t>(*f.get(name));
}
bool flag(const detect::Facts& f, const char* name) {
  REQUIRE(f.get(name));
  return std::get<bool>(*f.get(name));
}
}  // namespace

TEST_CASE("envelope recipients are split into internal and external organisations") {
  auto f = compute(envelope("t@sales.example.co.jp", {"a@example.co.jp", "b@mail.example.co.jp", "x@a.acme.co.jp",
                                                       "y@acme.co.jp", "z@other.com"}),
                   "To: a@example.co.jp\r\n\r\nx\r\n");
  CHECK(num(f, "recipients.total") == 5);
  CHECK(num(f, "recipients.internal") == 2);
  CHECK(num(f, "recipients.external") == 3);
  CHECK(num(f, "recipients.external_domains") == 2);  // a.acme.co.jp and acme.co.jp are one organisation
  CHECK(flag(f, "sender.internal"));
  CHECK(std::get<detect::StringList>(*f.get("sender.groups")) == detect::StringList{"sales"});
}

TEST_CASE("only external addresses in To and Cc count as visible") {
  auto f = compute(envelope("t@example.co.jp", {"x@one.com", "y@two.com", "z@three.com", "a@example.co.jp"}),
                   "To: x@one.com, a@example.co.jp\r\nCc: Y <y@two.com>, x@ONE.com\r\nBcc: z@three.com\r\n\r\nb\r\n");
  CHECK(num(f, "recipients.visible_external") == 2);  // x@one.com counted once
  CHECK(num(f, "recipients.visible_external_domains") == 2);
  CHECK(num(f, "recipients.to") == 2);
  CHECK(num(f, "recipients.cc") == 2);
  CHECK(num(f, "recipients.bcc") == 1);
}

TEST_CASE("a few external among many internal is a minority") {
  std::vector<std::string> rcpts;
  for (int i = 0; i < 6; ++i) rcpts.push_back("u" + std::to_string(i) + "@example.co.jp");
  rcpts.push_back("stranger@partner.com");
  CHECK(flag(compute(envelope("t@example.co.jp", rcpts), "To: u0@example.co.jp\r\n\r\nb\r\n"),
             "recipients.minority_external"));
  rcpts.resize(4);
  rcpts.push_back("stranger@partner.com");
  CHECK_FALSE(flag(compute(envelope("t@example.co.jp", rcpts), "To: u0@example.co.jp\r\n\r\nb\r\n"),
                   "recipients.minority_external"));
}

TEST_CASE("message facts normalise full-width text") {
  auto f = compute(envelope("t@example.co.jp", {"a@example.co.jp"}),
                   "Subject: =?UTF-8?B?77yR77yS77yT?=\r\nMIME-Version: 1.0\r\n"
                   "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nx\r\n"
                   "--b\r\nContent-Type: application/pdf; name=\"a.pdf\"\r\n\r\nx\r\n--b--\r\n");
  CHECK(std::get<std::string>(*f.get("message.subject")) == "123");
  CHECK(num(f, "message.attachments") == 1);
  CHECK(std::get<detect::StringList>(*f.get("message.attachment_names")) == detect::StringList{"a.pdf"});
}

TEST_CASE("Resent-To and Resent-Cc show recipients like To and Cc") {
  std::string cc;
  for (int i = 0; i < 10; ++i)
    cc += (i ? ", " : "") + std::string("user") + std::to_string(i) + "@customer" + std::to_string(i) + "-example.jp";
  auto f = compute(envelope("t@example.co.jp", {"user0@customer0-example.jp", "user1@customer1-example.jp"}),
                   "From: t@example.co.jp\r\nTo: boss@example.co.jp\r\nResent-From: t@example.co.jp\r\n"
                   "Resent-To: a@partner.example.com\r\nResent-Cc: " + cc + "\r\nSubject: s\r\n\r\nx\r\n");
  CHECK(num(f, "recipients.to") == 2);
  CHECK(num(f, "recipients.cc") == 10);
  CHECK(num(f, "recipients.visible_external") == 11);
  CHECK(num(f, "recipients.visible_external_domains") == 11);
  CHECK(num(f, "recipients.exposed_external") == 11);
}
