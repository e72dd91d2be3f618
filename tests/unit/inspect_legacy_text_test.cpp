// inspect(): text of legacy Office files — a .doc and an .xls that LibreOffice wrote from Japanese text
// (Word's piece table, Excel's SST and numeric cells), a .ppt's text atoms built here, and that an
// encrypted .doc keeps no text.
#include <doctest/doctest.h>

#include <string>

#include "preflight/inspect/inspect.hpp"

#include "inspect_fixtures.hpp"
#include "inspect_support.hpp"

using namespace inspect_test;
using preflight::inspect::FileReport;
using preflight::inspect::inspect;

namespace {

std::string le(std::uint32_t v, int bytes) {
  std::string s;
  for (int i = 0; i < bytes; ++i) s += static_cast<char>((v >> (8 * i)) & 0xFF);
  return s;
}

// A PowerPoint record: version/instance, type, length, body.
std::string record(std::uint16_t ver, std::uint16_t type, const std::string& body) {
  return le(ver, 2) + le(type, 2) + le(static_cast<std::uint32_t>(body.size()), 4) + body;
}

std::string utf16le(const std::u16string& s) {
  std::string out;
  for (char16_t c : s) out += le(c, 2);
  return out;
}

}  // namespace

TEST_CASE("a Word 97 document that LibreOffice wrote gives its Japanese text through the piece table") {
  const FileReport r = inspect("見積書.doc", fixture("quote-ja.doc"));
  INFO(r.text);
  CHECK(r.kind == "doc");
  CHECK(r.incomplete.empty());
  CHECK(contains(r.text, "御見積書（社外秘）"));
  CHECK(contains(r.text, "お見積金額: 1,234,000円（税込）"));
  CHECK(contains(r.text, "マイナンバー: 1234 5678 9018"));
}

TEST_CASE("an Excel 97 workbook that LibreOffice wrote gives its shared strings and numbers row by row") {
  const FileReport r = inspect("list.xls", fixture("list-ja.xls"));
  INFO(r.text);
  CHECK(r.kind == "xls");
  REQUIRE(r.sheets.size() == 1);
  CHECK(contains(r.text, r.sheets[0] + "\n"));
  CHECK(contains(r.text, "氏名\t個人番号\t部署\n"));
  CHECK(contains(r.text, "山田太郎\t123456789018\t営業部\n"));
  CHECK(contains(r.text, "佐藤花子\t社外秘\t経理部"));
}

TEST_CASE("a PowerPoint 97 presentation gives the text of its TextCharsAtom and TextBytesAtom records") {
  const std::string text_chars = record(0, 0x0FA0, utf16le(u"社外秘の提案書\r個人番号一覧"));
  const std::string text_bytes = record(0, 0x0FA8, "Quote 2026");
  const std::string other_atom = record(0, 0x03EF, std::string(24, 'Z'));  // not text: skipped
  const std::string slides = record(0x0F, 0x0FF0, other_atom + text_chars + text_bytes);
  const std::string doc = record(0x0F, 0x03E8, record(1, 0x03E9, std::string(40, '\0')) + slides);
  const FileReport r = inspect("提案.ppt", build_cfb({{"PowerPoint Document", doc}, {"Current User", "x"}}));
  INFO(r.text);
  CHECK(r.kind == "ppt");
  CHECK(contains(r.text, "社外秘の提案書\n個人番号一覧"));
  CHECK(contains(r.text, "Quote 2026"));
  CHECK_FALSE(contains(r.text, "ZZZ"));
}

TEST_CASE("an encrypted Word document keeps no text") {
  std::string doc = fixture("quote-ja.doc");
  const FileReport plain = inspect("a.doc", doc);
  REQUIRE(contains(plain.text, "社外秘"));
  // The FIB's fEncrypted bit lives in the WordDocument stream; LibreOffice puts that stream's first sector
  // right after the header's sector, and the FIB starts with wIdent 0xA5EC.
  const std::size_t fib = doc.find("\xEC\xA5");
  REQUIRE(fib != std::string::npos);
  doc[fib + 0x0B] = static_cast<char>(doc[fib + 0x0B] | 0x01);
  const FileReport r = inspect("a.doc", doc);
  CHECK(r.encrypted);
  CHECK(r.text.empty());
}
