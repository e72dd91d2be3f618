// Attached messages (message/rfc822, "forward as attachment") are parsed as mail: their shown headers, all
// their text alternatives and their attachments reach the model under the attached message's name, their
// addresses never become this mail's, and the depth and part limits are recorded when they cut.
#include <doctest/doctest.h>
#include <glib.h>

#include <algorithm>

#include "inspect_support.hpp"
#include "preflight/detect/attachments.hpp"
#include "preflight/detect/content.hpp"
#include "preflight/inspect/inspect.hpp"
#include "preflight/mail/parse.hpp"

using namespace preflight;

namespace {

mail::Message parse(const std::string& raw, const mail::ParseLimits& limits = {}) {
  auto r = mail::parse_message(raw, limits);
  REQUIRE(r.ok());
  return *r;
}

std::string base64_lines(const std::string& data) {
  gchar* b64 = g_base64_encode(reinterpret_cast<const guchar*>(data.data()), data.size());
  std::string flat = b64, out;
  g_free(b64);
  for (std::size_t i = 0; i < flat.size(); i += 76) out += flat.substr(i, 76) + "\r\n";
  return out;
}

std::string pe_bytes() {
  std::string b(0x200, '\0');
  b[0] = 'M', b[1] = 'Z', b[0x3C] = '\x80';
  b.replace(0x80, 4, std::string("PE\0\0", 4));
  return b;
}

// The forwarded mail as its author sent it: text/plain + text/html alternatives and a zip holding an exe.
std::string inner_message() {
  const std::string zip = inspect_test::build_zip({{"setup.exe", pe_bytes()}, {"readme.txt", "read me"}});
  return "From: =?UTF-8?B?5bGx55SwIOasoemDjg==?= <yamada@sample.co.jp>\r\n"  // 山田 次郎
         "To: taro@example.co.jp, tanaka@sample.co.jp\r\n"
         "Subject: =?UTF-8?B?6KaL56mN44KK?=\r\n"  // 見積り
         "Date: Mon, 23 Nov 2026 09:00:00 +0900\r\nMessage-ID: <inner@sample.co.jp>\r\nMIME-Version: 1.0\r\n"
         "Content-Type: multipart/mixed; boundary=\"in-mixed\"\r\n\r\n"
         "--in-mixed\r\nContent-Type: multipart/alternative; boundary=\"in-alt\"\r\n\r\n"
         "--in-alt\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nplain words of the forwarded mail\r\n"
         "--in-alt\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n<p>html words of the forwarded mail</p>\r\n"
         "--in-alt--\r\n"
         "--in-mixed\r\nContent-Type: application/zip; name=\"a.zip\"\r\n"
         "Content-Disposition: attachment; filename=\"a.zip\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
         base64_lines(zip) + "--in-mixed--\r\n";
}

// Thunderbird's "forward as attachment": a short own text and the message/rfc822 part named after it.
// `tb` names its boundaries (each level of a nested forward needs its own).
std::string thunderbird_forward(const std::string& inner, const std::string& encoding = "",
                                const std::string& tb = "tb") {
  const std::string alt = "alt-" + tb;
  return "From: Taro <taro@example.co.jp>\r\nTo: hanako@example.co.jp\r\nSubject: Fwd: =?UTF-8?B?6KaL56mN44KK?=\r\n"
         "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"" + tb + "\"\r\n\r\n"
         "--" + tb + "\r\nContent-Type: multipart/alternative; boundary=\"" + alt + "\"\r\n\r\n"
         "--" + alt + "\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nown words\r\n"
         "--" + alt + "\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n<p>own words</p>\r\n"
         "--" + alt + "--\r\n"
         "--" + tb + "\r\nContent-Type: message/rfc822; charset=UTF-8; name=\"Fw.eml\"\r\n"
         "Content-Disposition: attachment; filename=\"Fw.eml\"\r\n" +
         (encoding.empty() ? std::string() : "Content-Transfer-Encoding: " + encoding + "\r\n") + "\r\n" +
         (encoding == "base64" ? base64_lines(inner) : inner) + "\r\n--" + tb + "--\r\n";
}

const mail::Attachment* attachment_named(const mail::Message& m, const std::string& name) {
  for (const auto& a : m.attachments)
    if (a.filename == name) return &a;
  return nullptr;
}

bool any_executable(const inspect::FileReport& r) {
  return r.executable || std::any_of(r.children.begin(), r.children.end(), any_executable);
}

}  // namespace

TEST_CASE("a forward as attachment: the inner zip is an attachment under the message's name, its exe is found") {
  for (const char* encoding : {"", "7bit", "base64"}) {
    CAPTURE(encoding);
    const auto m = parse(thunderbird_forward(inner_message(), encoding));
    CHECK(m.forwarded_messages == 1);
    const mail::Attachment* eml = attachment_named(m, "Fw.eml");
    REQUIRE(eml);
    CHECK(eml->content_type == "message/rfc822");
    CHECK(eml->forwarded == 0);
    const mail::Attachment* zip = attachment_named(m, "Fw.eml/a.zip");
    REQUIRE(zip);
    CHECK(zip->forwarded == 1);
    CHECK(zip->content_type == "application/zip");
    CHECK(zip->size == zip->data.size());
    const inspect::FileReport r = inspect::inspect(zip->filename, zip->data);
    CHECK(r.kind == "zip");
    CHECK(any_executable(r));
    CHECK(m.incomplete.empty());
  }
}

TEST_CASE("an attached message's headers and both alternatives are texts of their own alternative group") {
  const auto m = parse(thunderbird_forward(inner_message()));
  REQUIRE(m.texts.size() == 5);  // own plain, own html, inner headers, inner plain, inner html
  struct Want {
    const char* type;
    int alternative, branch, forwarded;
    const char* words;
  };
  const Want want[] = {{"text/plain", 0, 0, 0, "own words"},
                       {"text/html", 0, 1, 0, "<p>own words</p>"},
                       {"text/rfc822-headers", -1, 0, 1, "Subject: 見積り"},
                       {"text/plain", 1, 0, 1, "plain words of the forwarded mail"},
                       {"text/html", 1, 1, 1, "html words of the forwarded mail"}};
  for (std::size_t i = 0; i < 5; ++i) {
    CAPTURE(i);
    CHECK(m.text_info[i].content_type == want[i].type);
    CHECK(m.text_info[i].alternative == want[i].alternative);
    CHECK(m.text_info[i].branch == want[i].branch);
    CHECK(m.text_info[i].forwarded == want[i].forwarded);
    CHECK(m.texts[i].find(want[i].words) != std::string::npos);
  }
  CHECK(m.texts[2].find("From: \"山田 次郎\" <yamada@sample.co.jp>") != std::string::npos);
  CHECK(m.texts[2].find("To: taro@example.co.jp, tanaka@sample.co.jp") != std::string::npos);
  CHECK(m.texts[2].find("Message-ID") == std::string::npos);  // only what a reader is shown
}

TEST_CASE("an attached message's From and To are not this mail's address headers") {
  const auto m = parse(thunderbird_forward(inner_message()));
  CHECK(m.address_headers.size() == 2);  // the outer From and To
  CHECK(m.addresses("To").size() == 1);
  CHECK(m.addresses("To")[0].addr() == "hanako@example.co.jp");
  CHECK(m.addresses("From")[0].addr() == "taro@example.co.jp");
  CHECK(m.subject == "Fwd: 見積り");
  CHECK(m.message_id.empty());
}

TEST_CASE("an attached message without a file name is named after its Subject") {
  std::string raw = thunderbird_forward(inner_message());
  const std::string named = "; charset=UTF-8; name=\"Fw.eml\"\r\nContent-Disposition: attachment; filename=\"Fw.eml\"";
  raw.replace(raw.find(named), named.size(), "\r\nContent-Disposition: attachment");
  const auto m = parse(raw);
  CHECK(attachment_named(m, "見積り.eml"));
  CHECK(attachment_named(m, "見積り.eml/a.zip"));
}

TEST_CASE("attached messages nest up to max_message_depth; deeper ones are listed and recorded as incomplete") {
  // level 1 holds level 2 holds level 3 holds level 4, each named "L<n>.eml"; level 4 holds a.zip
  std::string raw = inner_message();
  for (int level = 4; level >= 1; --level) {
    std::string wrapped = thunderbird_forward(raw, "", "tb" + std::to_string(level));
    const std::string name = "L" + std::to_string(level) + ".eml";
    for (std::size_t at; (at = wrapped.find("Fw.eml")) != std::string::npos;) wrapped.replace(at, 6, name);
    raw = wrapped;
  }
  const auto m = parse(raw);
  CHECK(m.forwarded_messages == 4);
  CHECK(attachment_named(m, "L1.eml/L2.eml/L3.eml"));
  CHECK(attachment_named(m, "L1.eml/L2.eml/L3.eml/L4.eml"));  // listed, not read
  CHECK_FALSE(attachment_named(m, "L1.eml/L2.eml/L3.eml/L4.eml/a.zip"));
  REQUIRE(m.incomplete.size() == 1);
  CHECK(m.incomplete[0].name == "L1.eml/L2.eml/L3.eml/L4.eml");
  CHECK(m.incomplete[0].reason == "depth");

  mail::ParseLimits deeper;
  deeper.max_message_depth = 4;
  const auto all = parse(raw, deeper);
  CHECK(attachment_named(all, "L1.eml/L2.eml/L3.eml/L4.eml/a.zip"));
  CHECK(all.incomplete.empty());
}

TEST_CASE("parts past max_parts, also inside an attached message, are recorded as incomplete") {
  mail::ParseLimits few;
  few.max_parts = 6;  // outer mixed, alternative, plain, html, rfc822, inner mixed: the inner body is cut
  const auto m = parse(thunderbird_forward(inner_message()), few);
  CHECK_FALSE(attachment_named(m, "Fw.eml/a.zip"));
  REQUIRE(m.incomplete.size() == 1);
  CHECK(m.incomplete[0].name.empty());
  CHECK(m.incomplete[0].reason == "parts");
  CHECK(std::any_of(m.problems.begin(), m.problems.end(),
                    [](const std::string& p) { return p.find("more than 6 MIME parts") != std::string::npos; }));
}

TEST_CASE("a text/rfc822-headers part is read as decoded header lines") {
  const auto m = parse(
      "From: MAILER-DAEMON@example.co.jp\r\nTo: taro@example.co.jp\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\r\n\r\n"
      "--r\r\nContent-Type: text/plain\r\n\r\nundeliverable\r\n"
      "--r\r\nContent-Type: text/rfc822-headers\r\n\r\n"
      "Received: from x by y\r\nFrom: taro@example.co.jp\r\nTo: =?UTF-8?B?5bGx55SwIOasoemDjg==?= <y@sample.co.jp>\r\n"
      "Subject: =?UTF-8?B?6KaL56mN44KK?=\r\n\r\n--r--\r\n");
  REQUIRE(m.texts.size() == 2);
  CHECK(m.text_info[1].content_type == "text/rfc822-headers");
  CHECK(m.texts[1] == "From: taro@example.co.jp\nTo: \"山田 次郎\" <y@sample.co.jp>\nSubject: 見積り\n");
}

TEST_CASE("content facts count a My Number list inside an attached message, and its exe") {
  const std::string list = "従業員のマイナンバー一覧\r\n123456789018\r\n";
  std::string inner = inner_message();
  const std::string plain = "plain words of the forwarded mail\r\n";
  inner.replace(inner.find(plain), plain.size(), list);
  const auto m = parse(thunderbird_forward(inner));
  detect::Organisation org;
  org.scanner = std::make_shared<detect::ContentScanner>(std::vector<detect::KeywordSet>{});
  detect::Facts f;
  detect::attachment_facts({}, m, org, f);
  CHECK(std::get<std::int64_t>(*f.get("content.my_number")) == 1);
  CHECK(std::get<std::int64_t>(*f.get("attachments.executables")) == 1);
  const auto names = std::get<detect::StringList>(*f.get("attachments.names"));
  CHECK(std::find(names.begin(), names.end(), "Fw.eml/a.zip") != names.end());
}

TEST_CASE("My Numbers split by empty tags in an HTML-only mail are counted") {
  const auto m = parse(
      "To: hr@payroll.example.com\r\nSubject: list\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=UTF-8\r\n"
      "\r\n<html><body><p>1234<span></span>5678<b></b>9018</p><p>1234<span></span>5678<b></b>9085</p>"
      "<p>1234<span>\r\n</span>5678<b></b>9158</p></body></html>\r\n");
  detect::Organisation org;
  org.scanner = std::make_shared<detect::ContentScanner>(std::vector<detect::KeywordSet>{});
  detect::Facts f;
  detect::attachment_facts({}, m, org, f);
  CHECK(std::get<std::int64_t>(*f.get("content.my_number")) == 3);
}
