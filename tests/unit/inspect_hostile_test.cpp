// inspect() on small hostile files that used to loop forever, take quadratic time or amplify memory: a RAR5
// extra-area size that wraps the cursor, PDFs full of unclosed trailer and cross-reference dictionaries or of
// bare "stream" keywords, XML parts full of markup declarations or ampersands, a workbook whose cells all
// repeat one large shared string, a compound file of deeply nested storages, and stored ZIP entries beyond
// max_expanded. Every file is built in memory. The claims are about the result: it comes back, with the
// findings still right and the cut (its incomplete reason, a problem, bomb) reported. No test measures time: an input that
// costs quadratic time without its fix runs either with a time limit far beyond any real budget (only a
// linear reader finishes it with an uncut report) or with no time at all (the reader must notice at once);
// memory amplification runs under an address-space cap, so without its fix it ends in "out of memory while
// inspecting" instead of exhausting the machine.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "preflight/inspect/inspect.hpp"

#include "inspect_support.hpp"

using namespace inspect_test;
using preflight::inspect::FileReport;
using preflight::inspect::inspect;
using preflight::inspect::Limits;

namespace {

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

bool has_problem(const FileReport& r, const std::string& what) {
  return std::any_of(r.problems.begin(), r.problems.end(), [&](const std::string& p) { return has(p, what); });
}

std::string repeat(const std::string& s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

// Ten minutes: no real budget is this long, so a test that needs it to finish uncut has found a slow reader.
Limits patient() {
  Limits l;
  l.max_milliseconds = 10 * 60 * 1000;
  return l;
}

// Letters that do not compress, so parts stay under the ratio limit even when stored deflated.
std::string random_letters(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, 'a');
  for (char& c : s) c = static_cast<char>('a' + rng() % 26);
  return s;
}

// A word-processing package whose document.xml (stored, not deflated) has `body` inside <w:body>.
std::string docx_with_body(const std::string& body) {
  const std::string types =
      "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
      "<Override PartName=\"/word/document.xml\" ContentType=\"application/"
      "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>";
  const std::string doc = "<?xml version=\"1.0\"?><w:document xmlns:w=\"w\"><w:body>" + body + "</w:body></w:document>";
  return build_zip({{"[Content_Types].xml", types}, {"word/document.xml", doc, false}});
}

}  // namespace

TEST_CASE("inspect: a RAR5 extra record whose size wraps the cursor ends the walk") {
  // Signature, header CRC, header size 14, type 2 (file), flags 1 (extra area), extra size 11; the extra area
  // is one record claiming 2^64-10 bytes (10-byte vint), which brought the cursor back to 0 for ever.
  std::string rar("Rar!\x1A\x07\x01\x00", 8);
  rar += std::string("\0\0\0\0\x0E\x02\x01\x0B", 8);
  rar += std::string("\xF6\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\x01\x00", 11);
  const FileReport r = inspect("wrap.rar", rar);
  CHECK(r.kind == "rar");
  CHECK_FALSE(r.encrypted);
  CHECK(has_problem(r, "RAR"));
  // The same header with two well-formed records, the second one file encryption (type 1), is still found.
  std::string enc("Rar!\x1A\x07\x01\x00", 8);
  enc += std::string("\0\0\0\0\x09\x02\x01\x06", 8);
  enc += std::string("\x03\x02\xAA\xBB\x01\x01", 6);
  const FileReport e = inspect("enc.rar", enc);
  CHECK(e.kind == "rar");
  CHECK(e.encrypted);
  CHECK(e.encryption == "rar");
  CHECK(e.problems.empty());
}

TEST_CASE("inspect: a RAR5 archive of many blocks stops at the time limit") {
  // The block walk is bounded anyway (at most 100000 blocks); this pins down that it also reports the time.
  std::string rar("Rar!\x1A\x07\x01\x00", 8);
  for (int i = 0; i < 50000; ++i) rar += std::string("\0\0\0\0\x03\x05\x00\x00", 8);  // type 5 (end of archive)
  Limits none;
  none.max_milliseconds = 0;
  const FileReport r = inspect("many.rar", rar, none);
  CHECK(r.kind == "rar");
  CHECK(incomplete_for(r, "time"));
  CHECK(has_problem(r, "time limit"));
}

TEST_CASE("inspect: a PDF of unclosed trailer dictionaries is read in linear time") {
  // Each "trailer<<" used to start a dictionary scan to the end of the file: quadratic (1 MB ran ~10 min).
  const std::string flood = "%PDF-1.4\n" + repeat("trailer<<", 150000);
  const FileReport enc = inspect("flood.pdf", flood + "\ntrailer\n<< /Root 1 0 R /Encrypt 9 0 R >>\n%%EOF\n", patient());
  CHECK(enc.kind == "pdf");
  CHECK(enc.encrypted);  // the newest trailer still decides
  CHECK(enc.encryption == "pdf");
  CHECK(enc.incomplete.empty());
  // Without a real trailer: not encrypted, and the trailers left unread are reported.
  const FileReport plain = inspect("flood.pdf", flood, patient());
  CHECK(plain.kind == "pdf");
  CHECK_FALSE(plain.encrypted);
  CHECK(plain.incomplete == std::vector<std::string>{"entries"});
  CHECK(has_problem(plain, "trailer"));
  // The same with cross-reference stream dictionaries ("obj << /Type /XRef", never closed).
  const FileReport xref = inspect("xref.pdf", "%PDF-1.5\n" + repeat("1 0 obj<</Type/XRef", 100000), patient());
  CHECK(xref.kind == "pdf");
  CHECK_FALSE(xref.encrypted);
  CHECK(!xref.incomplete.empty());
}

TEST_CASE("inspect: a PDF of stream keywords inside an unclosed object stops at the time limit") {
  // Each ">>stream" found "obj<<(" within 64 KiB before it and scanned that dictionary, whose string never
  // closes, to the end of the file (quadratic); the time check sat after the `continue` for such non-streams
  // and was never reached.
  const std::string block = "1 0 obj<<(" + repeat(">>stream\n", 6000);
  Limits none;
  none.max_milliseconds = 0;
  const FileReport r = inspect("streams.pdf", "%PDF-1.4\n" + repeat(block, 80), none);
  CHECK(r.kind == "pdf");
  CHECK(incomplete_for(r, "time"));
  CHECK(has_problem(r, "time limit"));
  CHECK(r.text.empty());
}

TEST_CASE("inspect: XML markup declarations without a subset are skipped in linear time") {
  // "<!x>" looked for '[' through the whole rest of the part each time: quadratic in the part size.
  const FileReport r = inspect("decl.docx", docx_with_body(repeat("<!x>", 2000000) + "<w:p><w:r><w:t>after the flood</w:t></w:r></w:p>"),
                               patient());
  CHECK(r.kind == "docx");
  CHECK(has(r.text, "after the flood"));
  CHECK(r.incomplete.empty());
  // A real internal subset still ends at "]>" (its '>' inside the subset does not end the declaration).
  const FileReport dtd = inspect("dtd.docx", docx_with_body("<!DOCTYPE d [<!ENTITY e \"x\">]><w:p><w:r><w:t>kept</w:t></w:r></w:p>"));
  CHECK(has(dtd.text, "kept"));
  CHECK_FALSE(has(dtd.text, "ENTITY"));
}

TEST_CASE("inspect: XML text of bare ampersands is decoded in linear time") {
  // Each '&' looked for ';' through the whole rest of the text: quadratic in the run length.
  const std::string amps(8000000, '&');
  Limits limits = patient();
  limits.max_text = 16 * 1024 * 1024;
  const FileReport r = inspect("amp.docx", docx_with_body("<w:p><w:r><w:t>" + amps + " &amp; done</w:t></w:r></w:p>"), limits);
  CHECK(r.kind == "docx");
  CHECK(has(r.text, amps + " & done"));
  CHECK(r.incomplete.empty());
}

TEST_CASE("inspect: xlsx cells repeating a large shared string stay within max_text") {
  // 2 MB shared string, 2000 cells referencing it: every cell copied the whole string and max_text was only
  // looked at every 4096 tags, so ~2 GB piled up before the first check.
  const std::string big = random_letters(2 * 1024 * 1024, 7);
  std::string cells;
  for (int i = 0; i < 2000; ++i) cells += "<c r=\"A" + std::to_string(i + 1) + "\" t=\"s\"><v>0</v></c>";
  const std::string ns = "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"";
  const std::string types =
      "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
      "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/"
      "vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
      "<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/"
      "vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/></Types>";
  const std::string xlsx = build_zip(
      {{"[Content_Types].xml", types},
       {"xl/workbook.xml", "<workbook " + ns + " xmlns:r=\"r\"><sheets><sheet name=\"Big\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"},
       {"xl/_rels/workbook.xml.rels", "<Relationships><Relationship Id=\"rId1\" Target=\"worksheets/sheet1.xml\"/></Relationships>"},
       {"xl/sharedStrings.xml", "<sst " + ns + "><si><t>" + big + "</t></si><si><t>small</t></si></sst>", false},
       {"xl/worksheets/sheet1.xml", "<worksheet " + ns + "><sheetData><row r=\"1\">" + cells + "</row></sheetData></worksheet>"}});
  const Limits limits = patient();
  FileReport r;
  {
    const AddressSpaceCap cap(1024 * 1024 * 1024);
    r = inspect("big.xlsx", xlsx, limits);
  }
  CHECK(r.kind == "xlsx");
  CHECK(r.sheets == std::vector<std::string>{"Big"});
  CHECK_FALSE(has_problem(r, "out of memory"));
  CHECK(!r.incomplete.empty());
  CHECK(has_problem(r, "max_text"));
  CHECK(r.text.size() <= limits.max_text);
  CHECK(r.text.starts_with("Big\n" + big + "\t" + big.substr(0, 1000)));
}

TEST_CASE("inspect: a compound file of deeply nested storages is cut at a fixed depth") {
  // 8000 storages each inside the previous, names of 31 two-byte characters: every entry kept its full path,
  // about 2 GB for a 1 MB file.
  const std::string name(31, '\xE9');  // é in the builder's Latin-1 names
  std::string path;
  for (int i = 0; i < 8000; ++i) path += name + "/";
  const std::string deep = build_cfb({{path + "WordDocument", std::string(64, '\x01')}, {"Macros/VBA/dir", "d"}});
  FileReport r;
  {
    const AddressSpaceCap cap(1024 * 1024 * 1024);
    r = inspect("deep.doc", deep);
  }
  CHECK(r.kind == "cfb");
  CHECK_FALSE(has_problem(r, "out of memory"));
  CHECK(r.incomplete == std::vector<std::string>{"depth"});
  CHECK(has_problem(r, "deeper"));
  CHECK(r.macros);  // entries near the root are still read
  // Storages nested 25 deep are within the limit: the VBA storage at the bottom is found, nothing is cut.
  std::string ok;
  for (int i = 0; i < 25; ++i) ok += "s" + std::to_string(i) + "/";
  const FileReport shallow = inspect("ok.doc", build_cfb({{ok + "VBA/dir", "d"}}));
  CHECK(shallow.macros);
  CHECK(shallow.incomplete.empty());
}

TEST_CASE("inspect: stored zip entries count against max_expanded") {
  std::vector<ZipItem> items;
  for (int i = 0; i < 8; ++i) items.push_back({"t" + std::to_string(i) + ".txt", random_letters(64 * 1024, i), false});
  Limits limits;
  limits.max_expanded = 256 * 1024;
  const FileReport r = inspect("stored.zip", build_zip(items), limits);
  CHECK(r.kind == "zip");
  CHECK(r.bomb);
  CHECK(r.incomplete == std::vector<std::string>{"bytes"});
  std::size_t text = 0;
  for (const FileReport& c : r.children) text += c.text.size();
  CHECK(text <= limits.max_expanded);
  // Under the limit nothing is cut.
  limits.max_expanded = 1024 * 1024;
  const FileReport fits = inspect("stored.zip", build_zip(items), limits);
  CHECK_FALSE(fits.bomb);
  CHECK(fits.incomplete.empty());
  CHECK(fits.children.size() == 8);
}
