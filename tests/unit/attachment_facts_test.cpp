// Attachment and content facts from parsed messages: encryption, PPAP, password lines, content counts.
#include <doctest/doctest.h>

#include "inspect_support.hpp"

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

namespace {

// A multipart/mixed message: `texts` tiny text parts, then one attachment (base64 of `data`).
std::string mixed_with(int texts, const std::string& filename, const std::string& base64) {
  std::string raw = "To: x@partner.com\r\nSubject: s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n";
  for (int i = 0; i < texts; ++i) raw += "--b\r\n\r\n.\r\n";
  return raw + "--b\r\nContent-Type: application/zip\r\nContent-Disposition: attachment; filename=" + filename +
         "\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64 + "\r\n--b--\r\n";
}

detect::Facts facts_of(const std::string& raw) {
  auto msg = mail::parse_message(raw);
  REQUIRE(msg.ok());
  detect::Facts f;
  detect::attachment_facts({}, *msg, detect::Organisation{}, f);
  return f;
}

detect::StringList list_fact(const detect::Facts& f, const char* name) { return std::get<detect::StringList>(*f.get(name)); }

}  // namespace

TEST_CASE("attachment facts: what inspection could not see is named by file and reason; an ordinary zip is not") {
  // "PK\3\4" and 40 bytes of 0xFF: a local header whose sizes lead nowhere, no central directory.
  const std::string broken = "UEsDBP//////////////////////////////////////////////////////";
  const detect::Facts bad = facts_of(mixed_with(1, "broken.zip", broken));
  CHECK(std::get<bool>(*bad.get("attachments.incomplete")));
  CHECK(list_fact(bad, "attachments.incomplete_reasons") == detect::StringList{"corrupt"});
  REQUIRE(list_fact(bad, "attachments.incomplete_names").size() == 1);
  CHECK(list_fact(bad, "attachments.incomplete_names")[0].starts_with("broken.zip"));
  // An empty zip archive (only its end record) is complete.
  const detect::Facts fine = facts_of(mixed_with(1, "empty.zip", "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="));
  CHECK_FALSE(std::get<bool>(*fine.get("attachments.incomplete")));
  CHECK(list_fact(fine, "attachments.incomplete_reasons").empty());
}

TEST_CASE("attachment facts: MIME parts past the parser's limit make the mail incomplete with reason parts") {
  const std::string empty_zip = "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==";
  const detect::Facts past = facts_of(mixed_with(1000, "late.zip", empty_zip));
  CHECK(std::get<bool>(*past.get("attachments.incomplete")));
  CHECK(list_fact(past, "attachments.incomplete_reasons") == detect::StringList{"parts"});
  CHECK(list_fact(past, "attachments.names").empty());  // the attachment was never reached
  const detect::Facts within = facts_of(mixed_with(990, "late.zip", empty_zip));
  CHECK_FALSE(std::get<bool>(*within.get("attachments.incomplete")));
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

TEST_CASE("attachment facts: the entries of a password zip are encrypted, not of an unknown kind") {
  using namespace inspect_test;
  const std::string dir = scratch_dir();
  spit(dir + "/invoice.csv", "請求番号,金額\n1,5000\n");
  run("cd " + dir + " && zip -q -e -P secret invoice.zip invoice.csv && base64 -w0 invoice.zip > invoice.b64");
  const detect::Facts f = facts_of(mixed_with(1, "invoice.zip", slurp(dir + "/invoice.b64")));
  CHECK(std::get<std::int64_t>(*f.get("attachments.encrypted")) == 1);
  CHECK(std::get<std::int64_t>(*f.get("attachments.unknown_kind")) == 0);
  CHECK(list_fact(f, "attachments.unknown_kind_names").empty());
}
