// inspect(): the text of real PDFs, page by page through each font's ToUnicode map: a Japanese quote made
// by LibreOffice (compressed streams, subset CJK font), a Type0 font with Identity-H codes (the CID font of
// most Japanese PDFs, built here), the same file with object streams (qpdf), predefined CJK encodings, and
// the bounds: a 10,000-page document and a huge content stream stop at their limits and say so.
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "preflight/inspect/inspect.hpp"

#include "inspect_fixtures.hpp"
#include "inspect_support.hpp"

using namespace inspect_test;
using preflight::inspect::FileReport;
using preflight::inspect::inspect;
using preflight::inspect::Limits;

namespace {

// Glyph codes of the CID font below: two bytes each, none of them the character's own code.
const std::map<std::string, std::string> kGlyphs = {
    {"社", "0102"}, {"外", "0103"}, {"秘", "0104"}, {"個", "0121"}, {"人", "0122"}, {"番", "0123"},
    {"号", "0124"}, {" ", "0120"},  {"0", "0110"},  {"1", "0111"},  {"2", "0112"},  {"3", "0113"},
    {"4", "0114"},  {"5", "0115"},  {"6", "0116"},  {"7", "0117"},  {"8", "0118"},  {"9", "0119"}};

const char* kToUnicode =
    "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Test-UCS def\n"
    "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
    "2 beginbfchar <0102> <793E> <0103> <5916> endbfchar\n"
    "2 beginbfrange <0104> <0104> <79D8> <0110> <0119> <0030> endbfrange\n"
    "1 beginbfrange <0120> <0124> [<0020> <500B> <4EBA> <756A> <53F7>] endbfrange\n"
    "endcmap CMapName currentdict /CMap defineresource pop end end\n";

// The hex string of `utf8` in the CID font's codes (characters of kGlyphs only).
std::string cid_hex(const std::string& utf8) {
  std::string hex = "<";
  for (std::size_t i = 0; i < utf8.size();) {
    const std::size_t n = static_cast<unsigned char>(utf8[i]) < 0x80 ? 1 : 3;
    hex += kGlyphs.at(utf8.substr(i, n));
    i += n;
  }
  return hex + ">";
}

// One page in a Type0 font with Identity-H codes; content and ToUnicode map are FlateDecode streams.
std::string cid_pdf(const std::string& line1, const std::string& line2) {
  const std::string content = "BT /F1 11 Tf 72 720 Td " + cid_hex(line1) + " Tj 0 -14 Td [" + cid_hex(line2) +
                              "] TJ ET";
  return build_pdf({
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 /Resources << /Font << /F1 5 0 R >> >> >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",  // resources inherited
      pdf_stream(zlib_compress(content), "/Filter /FlateDecode"),
      "<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+Mincho /Encoding /Identity-H /DescendantFonts [6 0 R] "
      "/ToUnicode 7 0 R >>",
      "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /ABCDEF+Mincho /CIDSystemInfo << /Registry (Adobe) "
      "/Ordering (Identity) /Supplement 0 >> >>",
      pdf_stream(zlib_compress(kToUnicode), "/Filter [/FlateDecode]"),
  });
}

// `pages` pages, each showing "page N" in a standard font.
std::string many_pages(int pages) {
  std::string kids;
  std::vector<std::string> objects = {"<< /Type /Catalog /Pages 2 0 R >>", "", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"};
  for (int i = 0; i < pages; ++i) {
    const int page = 4 + 2 * i;
    kids += std::to_string(page) + " 0 R ";
    objects.push_back("<< /Type /Page /Parent 2 0 R /Contents " + std::to_string(page + 1) +
                      " 0 R /Resources << /Font << /F1 3 0 R >> >> >>");
    objects.push_back(pdf_stream("BT /F1 9 Tf (page " + std::to_string(i + 1) + " end) Tj ET"));
  }
  objects[1] = "<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages) + " >>";
  return build_pdf(objects);
}

}  // namespace

TEST_CASE("a Japanese quote that LibreOffice made is read through its fonts' ToUnicode maps") {
  const std::string pdf = fixture("quote-ja.pdf");
  REQUIRE(contains(pdf, "/FlateDecode"));
  REQUIRE(contains(pdf, "/ToUnicode"));
  REQUIRE_FALSE(contains(pdf, "社外秘"));  // the text is nowhere in the file's bytes as such
  const FileReport r = inspect("見積書.pdf", pdf);
  INFO(r.text);
  CHECK(r.kind == "pdf");
  CHECK(r.incomplete.empty());
  CHECK(contains(r.text, "御見積書（社外秘）"));
  CHECK(contains(r.text, "株式会社サンプル商事 御中"));
  CHECK(contains(r.text, "マイナンバー: 1234 5678 9018"));
}

TEST_CASE("a CID font with Identity-H codes is decoded through its ToUnicode map, also from object streams") {
  const std::string pdf = cid_pdf("社外秘", "個人番号 1234 5678 9018");
  const FileReport r = inspect("quote.pdf", pdf);
  INFO(r.text);
  CHECK(contains(r.text, "社外秘"));
  CHECK(contains(r.text, "個人番号 1234 5678 9018"));
  const std::string dir = scratch_dir();
  spit(dir + "/in.pdf", pdf);
  run("cd " + dir + " && qpdf --object-streams=generate --compress-streams=y in.pdf packed.pdf");
  const std::string packed = slurp(dir + "/packed.pdf");
  REQUIRE(contains(packed, "/ObjStm"));
  const FileReport p = inspect("packed.pdf", packed);
  INFO(p.text);
  CHECK(contains(p.text, "個人番号 1234 5678 9018"));
}

TEST_CASE("composite fonts with predefined CJK encodings are decoded without a ToUnicode map") {
  struct Case {
    const char* encoding;
    std::string shown;  // the string operand, as the encoding has it
  };
  const std::vector<Case> cases = {
      {"/UniJIS-UCS2-H", "<793E591679D8>"},  // UTF-16BE code units
      {"/90ms-RKSJ-H", "<8ED08A4F94E9>"},    // Shift_JIS bytes
  };
  for (const Case& c : cases) {
    INFO(c.encoding);
    const FileReport r = inspect("a.pdf", build_pdf({
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /J 5 0 R >> >> >>",
        pdf_stream("BT /J 10 Tf " + c.shown + " Tj ET"),
        std::string("<< /Type /Font /Subtype /Type0 /BaseFont /Ryumin-Light /Encoding ") + c.encoding + " >>",
    }));
    CHECK(contains(r.text, "社外秘"));
  }
}

TEST_CASE("a PDF of 10,000 pages is read up to max_pages and marked incomplete") {
  const std::string pdf = many_pages(10000);
  Limits limits;
  limits.max_pages = 2000;
  limits.max_milliseconds = 60000;  // the page limit must stop it, not the clock of a busy machine
  const FileReport r = inspect("big.pdf", pdf, limits);
  CHECK_FALSE(r.incomplete.empty());
  CHECK(has_problem(r, "more than 2000 pages"));
  CHECK(contains(r.text, "page 1 end"));
  CHECK(contains(r.text, "page 2000 end"));
  CHECK_FALSE(contains(r.text, "page 2001 end"));
  const FileReport small = inspect("small.pdf", many_pages(3));
  CHECK(small.incomplete.empty());
  CHECK(contains(small.text, "page 3 end"));
}

TEST_CASE("a content stream larger than the page content limit is cut there and marked incomplete") {
  std::string content = "BT /F1 9 Tf (start of page) Tj ET\n";
  while (content.size() < 17 * 1024 * 1024) content += "0 0 m 1 1 l S\n";
  content += "BT (past the limit) Tj ET\n";
  Limits limits;
  limits.max_milliseconds = 60000;  // the byte limit must stop it, not the clock of a busy machine
  const FileReport r = inspect("huge.pdf", build_pdf({
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>",
      pdf_stream(content),
  }), limits);
  CHECK_FALSE(r.incomplete.empty());
  CHECK(has_problem(r, "content cut at"));
  CHECK_FALSE(has_problem(r, "time limit"));
  CHECK(contains(r.text, "start of page"));
  CHECK_FALSE(contains(r.text, "past the limit"));
}

TEST_CASE("text drawn by a form XObject is read with the form's own fonts, and a form drawing itself once") {
  const std::string form = "BT /C 11 Tf " + cid_hex("社外秘") + " Tj ET /Self Do";
  const FileReport r = inspect("form.pdf", build_pdf({
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /XObject << /Fm1 5 0 R >> >> >>",
      pdf_stream("q /Fm1 Do Q"),
      pdf_stream(zlib_compress(form), "/Type /XObject /Subtype /Form /BBox [0 0 100 100] /Filter /FlateDecode "
                                      "/Resources << /Font << /C 6 0 R >> /XObject << /Self 5 0 R >> >>"),
      "<< /Type /Font /Subtype /Type0 /BaseFont /Mincho /Encoding /Identity-H /ToUnicode 7 0 R >>",
      pdf_stream(kToUnicode),
  }));
  INFO(r.text);
  CHECK(contains(r.text, "社外秘"));
  CHECK(r.text.find("社外秘") == r.text.rfind("社外秘"));
}

TEST_CASE("content streams behind ASCII85 and ASCIIHex filters, also chained with FlateDecode, are read") {
  std::string hex;
  for (unsigned char c : zlib_compress("BT /F1 9 Tf (hex then flate) Tj ET")) {
    static const char* digits = "0123456789ABCDEF";
    hex += digits[c >> 4];
    hex += digits[c & 15];
  }
  const FileReport r = inspect("filters.pdf", build_pdf({
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /Contents [4 0 R 5 0 R] >>",
      pdf_stream("6<#'\\7PQ#G+B2qq-t.1,Bk]Oa+EV1>F=A>3C*5rE~>", "/Filter /ASCII85Decode"),
      pdf_stream(hex + ">", "/Filter [/AHx /Fl]"),
  }));
  INFO(r.text);
  CHECK(contains(r.text, "ascii85 text"));
  CHECK(contains(r.text, "hex then flate"));
  CHECK(r.incomplete.empty());
}

TEST_CASE("a PDF whose font dictionary repeats a name is read once, not in a loop (found by fuzzing)") {
  // A mutated one-page PDF: the page's /Font dictionary is broken so that looking up a font name finds
  // an earlier use of it; the reader used to step back there and never finish.
  const std::string pdf = fixture("fuzz-regressions/pdf-font-name-repeated.pdf");
  const FileReport r = inspect("quote.pdf", pdf);
  CHECK(r.kind == "pdf");
  CHECK(r.text.find("Hello") != std::string::npos);
}
