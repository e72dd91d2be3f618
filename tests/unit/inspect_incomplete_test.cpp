// inspect(): what could not be looked at is named, never passed. Each limit and each unreadable container
// gives its reason word in FileReport::incomplete (entries, depth, ratio, bytes, corrupt, method); an OOXML
// package is told by its structure, so a zip that only holds an entry named [Content_Types].xml is still a
// zip whose executable is seen; an archive with data in front of it is found by its end record. Every file
// is built in memory, or by python3-docx for a real document.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "preflight/inspect/inspect.hpp"

#include "inspect_support.hpp"

using namespace inspect_test;
using preflight::inspect::FileReport;
using preflight::inspect::inspect;
using preflight::inspect::Limits;

namespace {

using Reasons = std::vector<std::string>;

std::string pe_bytes() {
  std::string b(0x200, '\0');
  b[0] = 'M', b[1] = 'Z', b[0x3C] = '\x80';
  b.replace(0x80, 4, std::string("PE\0\0", 4));
  return b;
}

// True when some file in the tree is an executable (what the attachments.executables fact counts).
bool executable_inside(const FileReport& r) {
  if (r.executable) return true;
  for (const FileReport& c : r.children)
    if (executable_inside(c)) return true;
  return false;
}

const FileReport* child_named(const FileReport& r, const std::string& name) {
  for (const FileReport& c : r.children)
    if (c.name == name) return &c;
  return nullptr;
}

std::vector<ZipItem> texts_then_exe(int texts) {
  std::vector<ZipItem> items;
  for (int i = 0; i < texts; ++i) items.push_back({"f" + std::to_string(i) + ".txt", "line " + std::to_string(i)});
  items.push_back({"setup.exe", pe_bytes()});
  return items;
}

std::string nested(int levels) {
  std::string z = build_zip({{"deep.exe", pe_bytes()}});
  for (int i = 0; i < levels; ++i) z = build_zip({{"level" + std::to_string(i) + ".zip", z}});
  return z;
}

// The first entry's deflate data overwritten with bytes no inflater accepts (a reserved block type).
std::string corrupt_deflate() {
  std::string z = build_zip({{"report.txt", std::string(4000, 'a') + "end"}});
  const std::size_t data = 30 + std::string("report.txt").size();
  z[data] = '\x07';  // BFINAL=1, BTYPE=11: reserved
  return z;
}

constexpr const char* kTypes =
    "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
    "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
    "<Override PartName=\"/word/document.xml\" ContentType=\"application/"
    "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>";
constexpr const char* kRootRels =
    "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
    "officeDocument\" Target=\"word/document.xml\"/></Relationships>";
constexpr const char* kDocument =
    "<?xml version=\"1.0\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
    "<w:body><w:p><w:r><w:t>見積書</w:t></w:r></w:p></w:body></w:document>";

struct LimitCase {
  const char* what;
  std::string zip;
  Limits limits;
  Reasons reasons;
  bool exe_seen;
};

Limits with_entries(std::size_t n) {
  Limits l;
  l.max_entries = n;
  return l;
}

Limits with_depth(int d) {
  Limits l;
  l.max_depth = d;
  return l;
}

}  // namespace

TEST_CASE("inspect: each limit and each unreadable container is named by its reason word") {
  const std::vector<LimitCase> cases = {
      {"an exe past the entry limit", build_zip(texts_then_exe(12)), with_entries(10), {"entries"}, false},
      {"an exe nested deeper than the depth limit", nested(4), with_depth(3), {"depth"}, false},
      {"a ratio bomb", build_zip({{"zeros.bin", std::string(10 * 1024 * 1024, '\0')}}), {}, {"ratio"}, false},
      {"a corrupt deflate stream", corrupt_deflate(), {}, {"corrupt"}, false},
      {"an exe under an unknown compression method",
       build_zip({{"setup.exe", pe_bytes(), false, 0, 12}, {"a.txt", "x"}}), {}, {"method"}, false},
      {"the same files within the limits", build_zip(texts_then_exe(12)), with_entries(13), {}, true},
      {"the same nesting within the depth limit", nested(4), with_depth(5), {}, true},
  };
  for (const LimitCase& c : cases) {
    CAPTURE(c.what);
    const FileReport r = inspect("a.zip", c.zip, c.limits);
    CHECK(r.kind == "zip");
    CHECK(r.incomplete == c.reasons);
    CHECK(executable_inside(r) == c.exe_seen);
  }
}

TEST_CASE("inspect: the reason is on the file where inspection stopped and on every file around it") {
  const FileReport r = inspect("outer.zip", build_zip({{"inner.zip", build_zip(texts_then_exe(12))}, {"b.txt", "b"}}),
                               with_entries(6));
  CHECK(r.incomplete == Reasons{"entries"});
  const FileReport* inner = child_named(r, "outer.zip/inner.zip");
  REQUIRE(inner);
  CHECK(inner->incomplete == Reasons{"entries"});
  CHECK_FALSE(child_named(r, "outer.zip/b.txt"));  // never reached: the budget ran out inside inner.zip
}

TEST_CASE("inspect: a zip cut before its central directory, and bytes that are no zip at all, are corrupt") {
  const std::string whole = build_zip({{"a.txt", "alpha"}, {"setup.exe", pe_bytes()}});
  const FileReport cut = inspect("cut.zip", whole.substr(0, whole.size() / 2));
  CHECK(cut.kind == "zip");
  CHECK(cut.incomplete == Reasons{"corrupt"});
  const FileReport junk = inspect("junk.zip", std::string("PK\x03\x04", 4) + std::string(40, '\xFF'));
  CHECK(junk.kind == "zip");
  CHECK(junk.incomplete == Reasons{"corrupt"});
}

TEST_CASE("inspect: unencrypted 7z and RAR archives, whose entries are not extracted, are incomplete by method") {
  std::string sevenz("7z\xBC\xAF\x27\x1C\x00\x04", 8);
  sevenz += std::string(24, '\0');  // start header: no end header, an empty archive
  CHECK(inspect("empty.7z", sevenz).incomplete.empty());
  std::string rar("Rar!\x1A\x07\x01\x00", 8);
  rar += std::string("\0\0\0\0\x03\x05\x00\x00", 8);  // an end-of-archive block
  const FileReport r = inspect("a.rar", rar);
  CHECK(r.kind == "rar");
  CHECK(r.incomplete == Reasons{"method"});
}

TEST_CASE("inspect: a zip holding an entry named [Content_Types].xml and an exe is a zip whose exe is seen") {
  for (const std::string& types : {std::string("<Types/>"), std::string(kTypes)}) {
    CAPTURE(types);
    const FileReport r = inspect("docs.zip", build_zip({{"[Content_Types].xml", types}, {"setup.exe", pe_bytes()}}));
    CHECK(r.kind == "zip");
    const FileReport* exe = child_named(r, "docs.zip/setup.exe");
    REQUIRE(exe);
    CHECK(exe->kind == "exe");
    CHECK(exe->executable);
    CHECK(r.incomplete.empty());
  }
}

TEST_CASE("inspect: a package with its main document part is OOXML, with or without _rels/.rels") {
  const FileReport full = inspect("見積書.docx", build_zip({{"[Content_Types].xml", kTypes},
                                                         {"_rels/.rels", kRootRels},
                                                         {"word/document.xml", kDocument}}));
  CHECK(full.kind == "docx");
  CHECK(full.text.find("見積書") != std::string::npos);
  CHECK(full.children.empty());
  const FileReport bare = inspect("a.docx", build_zip({{"[Content_Types].xml", kTypes}, {"word/document.xml", kDocument}}));
  CHECK(bare.kind == "docx");
  // The relationship names a part that is not there, and no part has a main document type: not a package.
  const FileReport hollow = inspect("b.docx", build_zip({{"[Content_Types].xml", "<Types/>"}, {"_rels/.rels", kRootRels}}));
  CHECK(hollow.kind == "zip");
}

TEST_CASE("inspect: an entry that is no part of a real package is inspected, so an exe inside a docx is seen") {
  const FileReport r = inspect("a.docx", build_zip({{"[Content_Types].xml", kTypes},
                                                   {"_rels/.rels", kRootRels},
                                                   {"word/document.xml", kDocument},
                                                   {"word/tool.exe", pe_bytes()}}));
  CHECK(r.kind == "docx");
  const FileReport* exe = child_named(r, "a.docx/word/tool.exe");
  REQUIRE(exe);
  CHECK(exe->executable);
}

TEST_CASE("inspect: a real docx made by python-docx is still a docx with nothing left out") {
  const std::string dir = scratch_dir();
  spit(dir + "/gen.py",
       "import docx\nd = docx.Document()\nd.add_paragraph('御見積書 第12号')\nd.save('q.docx')\n");
  run("cd " + dir + " && /usr/bin/python3 gen.py");
  const FileReport r = inspect("q.docx", slurp(dir + "/q.docx"));
  CHECK(r.kind == "docx");
  CHECK(r.text.find("御見積書 第12号") != std::string::npos);
  CHECK(r.incomplete.empty());
  CHECK_FALSE(executable_inside(r));
}

TEST_CASE("inspect: an archive with data in front of it is found by its end record and its entries are seen") {
  const std::vector<ZipItem> items = {{"a.txt", "alpha"}, {"setup.exe", pe_bytes()}};
  const std::string junk = "0123456789abcdef";  // 16 bytes
  for (bool zip64 : {false, true}) {
    CAPTURE(zip64);
    const FileReport r = inspect("a.zip", junk + build_zip(items, zip64));
    CHECK(r.kind == "zip");
    REQUIRE(r.children.size() == 2);
    CHECK(child_named(r, "a.zip/a.txt")->text == "alpha");
    CHECK(child_named(r, "a.zip/setup.exe")->executable);
    CHECK(r.incomplete.empty());
  }
  // A self-extractor: an executable stub in front stays an executable.
  CHECK(inspect("setup.exe", pe_bytes() + build_zip(items)).kind == "exe");
  // Bytes that merely end like an end record, with no central directory where it says, are not a zip.
  std::string fake = std::string(100, 'x') + std::string("PK\x05\x06", 4) + std::string(18, '\x01');
  CHECK(inspect("x.bin", fake).kind != "zip");
}
