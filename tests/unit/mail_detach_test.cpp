// mail::detach_attachments and rebuild_with_notice: which parts leave, that their bytes and Japanese names
// survive, and that the rebuilt body is valid MIME that the parser reads back without attachments.
#include <doctest/doctest.h>

#include <string>

#include "preflight/action/detach.hpp"
#include "preflight/mail/detach.hpp"
#include "preflight/mail/parse.hpp"

using namespace preflight;

namespace {

// "見積書.pdf" as RFC 2231 (UTF-8, percent-encoded) and the base64 of the bytes "%PDF-1.4\n\x00\xff binary".
const std::string kPdfBase64 = "JVBERi0xLjQKAP8gYmluYXJ5";
const std::string kPdfBytes = std::string("%PDF-1.4\n\x00\xff binary", 18);

std::string mixed_mail() {
  return "From: taro@example.co.jp\r\nTo: client@partner.example\r\nSubject: quote\r\nMIME-Version: 1.0\r\n"
         "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
         "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlease find the quote attached.\r\n"
         "--b1\r\nContent-Type: application/pdf\r\n"
         "Content-Disposition: attachment; filename*=UTF-8''%E8%A6%8B%E7%A9%8D%E6%9B%B8.pdf\r\n"
         "Content-Transfer-Encoding: base64\r\n\r\n" + kPdfBase64 + "\r\n--b1--\r\n";
}

// The rebuilt message: the original headers with the detach edits' Content-Type, and the new body.
std::string rebuilt_message(const mail::RebuiltBody& body) {
  return "From: taro@example.co.jp\r\nSubject: quote\r\nMIME-Version: 1.0\r\nContent-Type: " + body.content_type +
         "\r\n\r\n" + body.body;
}

}  // namespace

TEST_CASE("detach: a multipart/mixed mail loses its attachment, keeps its text and gains the notice") {
  auto d = mail::detach_attachments(mixed_mail());
  REQUIRE(d.ok());
  REQUIRE(d->files.size() == 1);
  CHECK(d->files[0].filename == "見積書.pdf");
  CHECK(d->files[0].content_type == "application/pdf");
  CHECK(d->files[0].data == kPdfBytes);
  REQUIRE(d->kept.size() == 1);
  CHECK(d->kept[0].find("Please find the quote attached.") != std::string::npos);
  auto body = mail::rebuild_with_notice(*d, "添付ファイルはリンクに https://gw/file/T", "<p>リンク https://gw/file/T</p>");
  CHECK(body.content_type.rfind("multipart/mixed; boundary=\"", 0) == 0);
  CHECK(body.body.find("\n") == body.body.find("\r\n") + 1);  // CRLF line ends
  auto parsed = mail::parse_message(rebuilt_message(body));
  REQUIRE(parsed.ok());
  CHECK(parsed->attachments.empty());
  std::string all;
  for (const auto& t : parsed->texts) all += t + "\n";
  CHECK(all.find("Please find the quote attached.") != std::string::npos);
  CHECK(all.find("添付ファイルはリンクに https://gw/file/T") != std::string::npos);
  CHECK(parsed->text_info.size() == 3);  // the kept text, the notice's text and HTML alternatives
}

TEST_CASE("detach: a mail that is a single attachment, an attached message, and an inline image") {
  SUBCASE("the whole mail is one attachment: nothing is kept but the notice") {
    std::string raw = "From: a@example.co.jp\r\nMIME-Version: 1.0\r\nContent-Type: application/zip; name=\"a.zip\"\r\n"
                      "Content-Disposition: attachment; filename=\"a.zip\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                      "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==\r\n";
    auto d = mail::detach_attachments(raw);
    REQUIRE(d.ok());
    REQUIRE(d->files.size() == 1);
    CHECK(d->files[0].filename == "a.zip");
    CHECK(d->files[0].data.size() == 22);
    CHECK(d->kept.empty());
    auto edits = action::detach_edits(*d, "multipart/mixed; boundary=\"x\"");
    REQUIRE(edits.size() == 3);  // Content-Type changed, Content-Disposition and base64 CTE deleted
    CHECK(edits[0].kind == action::HeaderEdit::Kind::Change);
    CHECK(edits[1].name == "Content-Disposition");
    CHECK(edits[2].name == "Content-Transfer-Encoding");
  }
  SUBCASE("an attached message leaves as one .eml; an inline image of multipart/related stays") {
    std::string raw =
        "From: a@example.co.jp\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"o\"\r\n\r\n"
        "--o\r\nContent-Type: multipart/related; boundary=\"r\"\r\n\r\n"
        "--r\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p><img src=\"cid:logo\"></p>\r\n"
        "--r\r\nContent-Type: image/png\r\nContent-ID: <logo>\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n"
        "--r--\r\n"
        "--o\r\nContent-Type: message/rfc822\r\n\r\nFrom: x@example.jp\r\nSubject: earlier\r\n\r\nold text\r\n"
        "--o--\r\n";
    auto d = mail::detach_attachments(raw);
    REQUIRE(d.ok());
    REQUIRE(d->files.size() == 1);
    CHECK(d->files[0].content_type == "message/rfc822");
    CHECK(d->files[0].data.find("Subject: earlier") != std::string::npos);
    REQUIRE(d->kept.size() == 1);
    CHECK(d->kept[0].find("Content-ID: <logo>") != std::string::npos);
  }
  SUBCASE("a plain text mail has nothing to detach") {
    auto d = mail::detach_attachments("From: a@example.co.jp\r\nSubject: hi\r\n\r\nhello\r\n");
    REQUIRE(d.ok());
    CHECK(d->files.empty());
  }
}
