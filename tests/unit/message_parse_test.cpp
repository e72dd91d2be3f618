// Parsing raw messages into the message model: addresses, Japanese subjects and names, attachments.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

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

TEST_CASE("thousands of address headers get their 1-based per-name index, case-insensitively") {
  // Hostile mail may carry tens of thousands of To: lines; each keeps the index libmilter uses for
  // smfi_chgheader, counted per header name whatever the case it is written in.
  constexpr int kTo = 20000;
  std::string raw = "From: a@example.co.jp\r\nSubject: many\r\n";
  int cc = 0;
  for (int i = 0; i < kTo; ++i) {
    raw += (i % 7 == 3 ? "tO: u" : "To: u") + std::to_string(i) + "@x.jp\r\n";
    if (i % 1000 == 500) {
      raw += (cc % 2 ? "cc: c" : "Cc: c") + std::to_string(cc) + "@y.jp\r\nX-Other: " + std::to_string(i) + "\r\n";
      ++cc;
    }
  }
  raw += "Reply-To: r@z.jp\r\nTO: last@x.jp\r\n\r\nbody\r\n";
  auto m = parse(raw);

  std::vector<const AddressHeader*> to, ccs, from, reply;
  for (const auto& h : m.address_headers) {
    if (h.name == "To") to.push_back(&h);
    else if (h.name == "Cc") ccs.push_back(&h);
    else if (h.name == "From") from.push_back(&h);
    else if (h.name == "Reply-To") reply.push_back(&h);
  }
  REQUIRE(to.size() == kTo + 1);
  REQUIRE(ccs.size() == 20);
  REQUIRE(from.size() == 1);
  REQUIRE(reply.size() == 1);
  CHECK(m.address_headers.size() == kTo + 1 + 20 + 2);
  CHECK(m.headers.size() == 2 + kTo + 2 * 20 + 2);
  CHECK(m.addresses("To").size() == kTo + 1);
  CHECK_FALSE(m.header_cut);

  // first, one written "tO:", the middle one, the last numbered one and the final "TO:"
  CHECK(to[0]->index == 1);
  REQUIRE(to[0]->addresses.size() == 1);
  CHECK(to[0]->addresses[0].addr() == "u0@x.jp");
  CHECK(to[3]->index == 4);
  REQUIRE(to[3]->addresses.size() == 1);
  CHECK(to[3]->addresses[0].addr() == "u3@x.jp");
  CHECK(to[kTo / 2]->index == kTo / 2 + 1);
  REQUIRE(to[kTo / 2]->addresses.size() == 1);
  CHECK(to[kTo / 2]->addresses[0].addr() == "u" + std::to_string(kTo / 2) + "@x.jp");
  CHECK(to[kTo - 1]->index == kTo);
  REQUIRE(to[kTo - 1]->addresses.size() == 1);
  CHECK(to[kTo - 1]->addresses[0].addr() == "u" + std::to_string(kTo - 1) + "@x.jp");
  CHECK(to[kTo]->index == kTo + 1);
  REQUIRE(to[kTo]->addresses.size() == 1);
  CHECK(to[kTo]->addresses[0].addr() == "last@x.jp");

  bool to_in_order = true;
  for (std::size_t i = 0; i < to.size(); ++i) to_in_order = to_in_order && to[i]->index == static_cast<int>(i) + 1;
  CHECK(to_in_order);

  // Cc and cc share one count; interleaving with To does not disturb it
  bool cc_in_order = true;
  for (std::size_t i = 0; i < ccs.size(); ++i) {
    cc_in_order = cc_in_order && ccs[i]->index == static_cast<int>(i) + 1 && ccs[i]->addresses.size() == 1 &&
                  ccs[i]->addresses[0].addr() == "c" + std::to_string(i) + "@y.jp";
  }
  CHECK(cc_in_order);
  CHECK(ccs[0]->index == 1);
  CHECK(ccs[19]->index == 20);
  CHECK(from[0]->index == 1);
  CHECK(reply[0]->index == 1);
}

TEST_CASE("text parts record their type and which multipart/alternative they render") {
  auto m = parse(
      "To: b@x.jp\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"M\"\r\n\r\n"
      "--M\r\nContent-Type: multipart/alternative; boundary=\"A\"\r\n\r\n"
      "--A\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain one\r\n"
      "--A\r\nContent-Type: multipart/related; boundary=\"R\"\r\n\r\n"
      "--R\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>html one</p>\r\n"
      "--R\r\nContent-Type: image/png\r\nContent-Disposition: inline; filename=\"logo.png\"\r\n\r\nPNG\r\n--R--\r\n"
      "--A--\r\n"
      "--M\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nfooter\r\n"
      "--M\r\nContent-Type: multipart/alternative; boundary=\"B\"\r\n\r\n"
      "--B\r\nContent-Type: text/plain\r\n\r\nplain two\r\n"
      "--B\r\nContent-Type: text/html\r\n\r\n<b>html two</b>\r\n--B--\r\n--M--\r\n");
  REQUIRE(m.texts.size() == 5);
  REQUIRE(m.text_info.size() == 5);
  struct Want {
    const char* type;
    int alternative, branch;
  };
  const Want want[] = {{"text/plain", 0, 0}, {"text/html", 0, 1}, {"text/plain", -1, 0}, {"text/plain", 1, 0},
                       {"text/html", 1, 1}};
  for (std::size_t i = 0; i < 5; ++i) {
    CAPTURE(i);
    CHECK(m.text_info[i].content_type == want[i].type);
    CHECK(m.text_info[i].alternative == want[i].alternative);
    CHECK(m.text_info[i].branch == want[i].branch);
  }
  CHECK(m.text_is_html(1));
  CHECK_FALSE(m.text_is_html(0));
  CHECK(m.plain_text(1).find("html one") != std::string::npos);
  CHECK(m.plain_text(1).find("<p>") == std::string::npos);
  CHECK(m.attachments.size() == 1);  // the inline logo
}

TEST_CASE("a single-part mail's text belongs to no alternative group") {
  auto m = parse("To: b@x.jp\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>only html</p>\r\n");
  REQUIRE(m.text_info.size() == 1);
  CHECK(m.text_info[0].alternative == -1);
  CHECK(m.text_is_html(0));
  CHECK(m.plain_text(0) == "only html\n");
}

// GMime opens and closes a converter for each encoded word and text part; glibc unloads a charset module
// that went unused while three others were released. Without converters kept open, a day of mostly
// Shift_JIS and EUC-JP mail loaded ISO-2022-JP's module again for nearly every ISO-2022-JP mail.
TEST_CASE("the ISO-2022-JP charset module stays loaded while mail in other charsets is parsed") {
  auto m = parse("From: =?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?= <a@example.co.jp>\r\nTo: b@x.jp\r\n"
                 "Subject: =?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=\r\nMIME-Version: 1.0\r\n"
                 "Content-Type: text/plain; charset=ISO-2022-JP\r\n\r\n\x1b$BF|K\\8l\x1b(B\r\n");
  CHECK(m.subject == "日本語");
  for (int i = 0; i < 5; ++i) {  // "日本語" in EUC-JP, in the subject and in the body
    auto e = parse("From: a@example.co.jp\r\nTo: b@x.jp\r\nSubject: =?EUC-JP?B?xvzL3Ljs?=\r\n"
                   "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=EUC-JP\r\n"
                   "Content-Transfer-Encoding: 8bit\r\n\r\n\xc6\xfc\xcb\xdc\xb8\xec\r\n");
    CHECK(e.subject == "日本語");
  }
  std::ifstream maps("/proc/self/maps");
  std::stringstream all;
  all << maps.rdbuf();
  CHECK(all.str().find("/gconv/ISO-2022-JP.so") != std::string::npos);
}
