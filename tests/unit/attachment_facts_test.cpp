// Attachment and content facts from parsed messages: encryption, PPAP, password lines, content counts.
#include <doctest/doctest.h>

#include "preflight/detect/attachments.hpp"
#include "preflight/detect/content.hpp"
#include "preflight/mail/parse.hpp"

using namespace preflight;

TEST_CASE("password lines: PPAP style yes, 'sent separately' no") {
  CHECK(detect::has_password_line("パスワード: s3cret"));
  CHECK(detect::has_password_line("ＰＷ＝ａｂｃ１２３"));
  CHECK(detect::has_password_line("解凍パスワードは Abc-123 です"));
  CHECK(detect::has_password_line("Password: hunter2"));
  CHECK_FALSE(detect::has_password_line("パスワードは別途お知らせします。"));
  CHECK_FALSE(detect::has_password_line("パスワードを忘れた場合は"));
  CHECK_FALSE(detect::has_password_line("Please reset your password soon"));
  CHECK_FALSE(detect::has_password_line("bypass: none"));
}

TEST_CASE("attachment facts: a hidden sheet, unencrypted files, and content counts over body and attachments") {
  // a workbook whose second sheet is hidden, and a CSV with phone numbers
  const char* raw =
      "To: x@partner.com\r\nSubject: =?UTF-8?B?44CQ56S+5aSW56eY44CR?=\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
      "マイナンバー 123456789018\r\n--b\r\nContent-Type: text/csv; name=list.csv\r\n"
      "Content-Disposition: attachment; filename=list.csv\r\n\r\n"
      "03-1111-2222\r\n03-1111-2223\r\n090-1234-5678\r\n--b--\r\n";
  auto msg = mail::parse_message(raw);
  REQUIRE(msg.ok());
  detect::Organisation org;
  org.scanner = std::make_shared<detect::ContentScanner>(
      std::vector<detect::KeywordSet>{{"confidential", {"社外秘", "Confidential"}}});
  detect::Facts f;
  detect::attachment_facts({}, *msg, org, f);
  CHECK(std::get<std::int64_t>(*f.get("attachments.unencrypted")) == 1);
  CHECK(std::get<std::int64_t>(*f.get("attachments.encrypted")) == 0);
  CHECK_FALSE(std::get<bool>(*f.get("attachments.ppap")));
  CHECK(std::get<std::int64_t>(*f.get("content.my_number")) == 1);
  CHECK(std::get<std::int64_t>(*f.get("content.phone")) == 3);
  CHECK(std::get<detect::StringList>(*f.get("content.keywords")) == detect::StringList{"confidential"});
  CHECK(std::get<detect::StringList>(*f.get("attachments.names")) == detect::StringList{"list.csv"});
}

TEST_CASE("attachment facts: a file of a kind nobody recognises is counted and named, a photo is not") {
  const char* raw =
      "To: x@partner.com\r\nSubject: data\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
      "--b\r\nContent-Type: application/octet-stream; name=data.bin\r\nContent-Transfer-Encoding: base64\r\n"
      "Content-Disposition: attachment; filename=data.bin\r\n\r\n"
      "AAECA/4AnBEAAQID/gCcEQABAgP+AJwRAAECA/4AnBEAAQID/gCcEQABAgP+AJwRAAECA/4AnBEAAQID/gCcEQ==\r\n"
      "--b\r\nContent-Type: image/png; name=photo.png\r\nContent-Transfer-Encoding: base64\r\n"
      "Content-Disposition: attachment; filename=photo.png\r\n\r\niVBORw0KGgoAAAAAAAAAAAAAAAAAAAAA\r\n--b--\r\n";
  auto msg = mail::parse_message(raw);
  REQUIRE(msg.ok());
  detect::Facts f;
  detect::attachment_facts({}, *msg, detect::Organisation{}, f);
  CHECK(std::get<std::int64_t>(*f.get("attachments.unknown_kind")) == 1);
  CHECK(std::get<detect::StringList>(*f.get("attachments.unknown_kind_names")) == detect::StringList{"data.bin"});
  CHECK(std::get<detect::StringList>(*f.get("attachments.kinds")) == detect::StringList{"unknown", "png"});
}
