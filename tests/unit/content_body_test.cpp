// Unit tests for detect::scan_body: body texts counted by whose words they are, and the alternatives of
// one multipart/alternative counted once. Messages are parsed from raw MIME, as the milter sees them.
#include <doctest/doctest.h>

#include <string>

#include "preflight/detect/content.hpp"
#include "preflight/mail/parse.hpp"

using namespace preflight;
using detect::BodyCounts;

namespace {

const detect::ContentScanner& scanner() {
  static const detect::ContentScanner s({{"confidential", {"社外秘", "機密", "Confidential"}}});
  return s;
}

BodyCounts scan(const std::string& raw, bool forward = false) {
  auto m = mail::parse_message(raw);
  REQUIRE(m.ok());
  return detect::scan_body(scanner(), *m, forward);
}

std::string phones(int n, const std::string& prefix = "", const std::string& line_end = "\r\n") {
  std::string out;
  for (int i = 0; i < n; ++i) out += prefix + "担当 TEL 03-1234-" + std::to_string(1000 + i) + line_end;
  return out;
}

std::string alternative(const std::string& plain, const std::string& html) {
  return "To: b@x.jp\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"A\"\r\n\r\n"
         "--A\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + plain +
         "--A\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html + "--A--\r\n";
}

std::int64_t keyword(const detect::ContentCounts& c) {
  auto it = c.keywords.find("confidential");
  return it == c.keywords.end() ? 0 : it->second;
}

}  // namespace

TEST_CASE("the text and HTML renderings of one text are counted once") {
  const BodyCounts c = scan(alternative(phones(12), "<div>" + phones(12, "", "<br>") + "</div>\r\n"));
  CHECK(c.own.phone == 12);
}

TEST_CASE("words hidden only in the HTML rendering are still counted") {
  const BodyCounts c = scan(alternative("ご確認ください。\r\n", "<p>ご確認ください。</p>" + phones(25, "<p>", "</p>") + "\r\n"));
  CHECK(c.own.phone == 25);
}

TEST_CASE("separate text parts outside an alternative add up") {
  const std::string raw = "To: b@x.jp\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"M\"\r\n\r\n"
                          "--M\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + phones(10) +
                          "--M\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + phones(10) + "--M--\r\n";
  CHECK(scan(raw).own.phone == 20);
}

TEST_CASE("an HTML-only mail's My Numbers split by empty tags are found") {
  const std::string raw = "To: b@x.jp\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
                          "<p>マイナンバー: 1234<span></span>5678<b></b>9018</p>\r\n";
  const BodyCounts c = scan(raw);
  CHECK(c.own.my_number == 1);
  CHECK(c.own.my_number_candidates == 1);
}

TEST_CASE("quoted phone numbers and footers go to the quoted counts") {
  std::string body = "承知しました。\r\n\r\nOn Mon, 23 Nov 2026 at 10:00, Tanaka <tanaka@sample.co.jp> wrote:\r\n";
  body += phones(24, "> ");
  body += "> CONFIDENTIALITY NOTICE: This e-mail is confidential and intended only for the addressee.\r\n";
  const BodyCounts c = scan("To: b@x.jp\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body);
  CHECK(c.own.phone == 0);
  CHECK(c.quoted.phone == 24);
  CHECK(keyword(c.own) == 0);
  CHECK(keyword(c.quoted) == 2);  // CONFIDENTIALITY, confidential
}

TEST_CASE("a quoted My Number or card number still counts as sent") {
  const std::string body = "了解です。\r\n\r\nOn Mon, Tanaka wrote:\r\n> マイナンバー: 1234 5678 9018\r\n"
                           "> カード 4111-1111-1111-1111\r\n";
  const BodyCounts c = scan("To: b@x.jp\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body);
  CHECK(c.own.my_number == 1);
  CHECK(c.own.card_number == 1);
  CHECK(c.own.my_number_candidates == 0);
  CHECK(c.quoted.my_number == 1);
  CHECK(c.quoted.card_number == 1);
}

TEST_CASE("a My Number whose context word is in the sender's words and the number in the quote is found") {
  const std::string body = "下記のマイナンバーでお願いします。\r\n\r\nOn Mon, Tanaka wrote:\r\n> 1234 5678 9018\r\n";
  CHECK(scan("To: b@x.jp\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body).own.my_number == 1);
}

TEST_CASE("forwarded text counts as the sender's own") {
  const std::string body = "FYI\r\n\r\n---------- Forwarded message ---------\r\nFrom: Tanaka <tanaka@sample.co.jp>\r\n"
                           "Date: Mon, 23 Nov 2026\r\nSubject: list\r\nTo: Taro\r\n\r\n" + phones(25);
  const BodyCounts c = scan("To: b@x.jp\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body, true);
  CHECK(c.own.phone == 25);
  CHECK(c.quoted.phone == 0);
}
