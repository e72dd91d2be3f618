// Parsing raw messages into the message model: addresses, Japanese subjects and names, attachments.
#include <doctest/doctest.h>

#include "preflight/mail/parse.hpp"

using namespace preflight::mail;

namespace {
Message parse(const std::string& raw) {
  auto r = parse_message(raw);
  REQUIRE(r.ok());
  return *r;
}
}  // namespace

TEST_CASE("To, Cc and group addresses are collected with lower-case domains") {
  auto m = parse("From: a@Example.co.jp\r\nTo: x@Partner.COM, \"Y Name\" <y@other.jp>\r\n"
                 "Cc: team: c1@example.co.jp, c2@example.co.jp;\r\nSubject: hi\r\n\r\nbody\r\n");
  auto to = m.addresses("To");
  REQUIRE(to.size() == 2);
  CHECK(to[0].addr() == "x@partner.com");
  CHECK(to[1].display_name == "Y Name");
  CHECK(m.addresses("cc").size() == 2);
  CHECK(m.address_headers.size() == 3);
  CHECK(m.subject == "hi");
}

TEST_CASE("ISO-2022-JP subject and display names are decoded") {
  // "日本語" in ISO-2022-JP, base64
  auto m = parse("From: =?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?= <a@example.co.jp>\r\n"
                 "To: =?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?= <b@x.jp>\r\n"
                 "Subject: =?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=\r\n\r\nx\r\n");
  CHECK(m.subject == "日本語");
  REQUIRE(m.addresses("To").size() == 1);
  CHECK(m.addresses("To")[0].display_name == "日本語");
  CHECK(m.addresses("From")[0].display_name == "日本語");
}

TEST_CASE("a text part in ISO-2022-JP is converted to UTF-8") {
  auto m = parse("To: b@x.jp\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\n"
                 "Content-Transfer-Encoding: 7bit\r\n\r\n\x1b$BF|K\\8l\x1b(B\r\n");
  REQUIRE(m.texts.size() == 1);
  CHECK(m.texts[0].find("日本語") != std::string::npos);
}

TEST_CASE("attachments carry RFC 2231 decoded names and decoded sizes") {
  auto m = parse(
      "To: b@x.jp\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n"
      "--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhello\r\n"
      "--B\r\nContent-Type: application/pdf\r\n"
      "Content-Disposition: attachment; filename*=UTF-8''%E8%A6%8B%E7%A9%8D.pdf\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\nAAECAwQFBgcICQ==\r\n"
      "--B\r\nContent-Type: application/octet-stream; name=\"=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=.txt\"\r\n"
      "Content-Disposition: attachment\r\n\r\nabc\r\n--B--\r\n");
  REQUIRE(m.attachments.size() == 2);
  CHECK(m.attachments[0].filename == "見積.pdf");
  CHECK(m.attachments[0].content_type == "application/pdf");
  CHECK(m.attachments[0].size == 10);
  CHECK(m.attachments[1].filename == "日本語.txt");
  REQUIRE(m.texts.size() == 1);
  CHECK(m.texts[0].find("hello") != std::string::npos);
}

TEST_CASE("8-bit garbage and broken MIME parse without crashing") {
  std::string raw = "To: \xff\xfe\x80 <a@b.jp>\r\nSubject: \x82\xa0\x82\xa2\r\n"
                    "Content-Type: multipart/mixed; boundary=\"never\"\r\n\r\n--nope\r\n\x00\x01garbage";
  raw.push_back('\0');
  auto r = parse_message(raw);
  REQUIRE(r.ok());
  CHECK(r->subject == "あい");  // raw CP932 in a header is decoded as CP932
}

TEST_CASE("a very long address header is flagged as possibly cut by the MTA") {
  std::string to = "To: ";
  for (int i = 0; i < 3000; ++i) to += "user" + std::to_string(i) + "@partner-company.example.com, ";
  auto m = parse(to + "last@partner.com\r\nSubject: x\r\n\r\nx\r\n");
  CHECK(m.header_cut);
  CHECK(m.addresses("To").size() == 3001);
}
