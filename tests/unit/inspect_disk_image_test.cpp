// inspect(): disk images are containers like archives — an ISO 9660 image with Joliet names, a UDF image,
// a FAT image and the same image as a fixed and as a dynamic VHD, each carrying an executable and a
// shortcut, are opened and their files inspected as children; loops and unread file systems are marked incomplete; images,
// media and unrecognised binary content get their kinds.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "preflight/inspect/inspect.hpp"

#include "inspect_fixtures.hpp"

using namespace inspect_test;
using preflight::inspect::FileReport;
using preflight::inspect::inspect;

namespace {

const FileReport* child(const FileReport& r, const std::string& name) {
  for (const auto& c : r.children)
    if (c.name == name) return &c;
  return nullptr;
}

std::string names(const FileReport& r) {
  std::string out;
  for (const auto& c : r.children) out += c.name + " (" + c.kind + ")\n";
  return out;
}

std::string be(std::uint64_t v, int bytes) {
  std::string s;
  for (int i = bytes - 1; i >= 0; --i) s += static_cast<char>((v >> (8 * i)) & 0xFF);
  return s;
}

// The raw disk as a dynamic VHD: footer copy, sparse header, block table, then every 2 MiB block that holds
// data (a sector bitmap of 512 bytes before each), and the footer.
std::string dynamic_vhd(const std::string& disk) {
  const std::uint32_t block = 2 * 1024 * 1024;
  std::string footer = "conectix" + be(2, 4) + be(0x00010000, 4) + be(512, 8) + std::string(16, '\0') +
                       be(disk.size(), 8) + be(disk.size(), 8) + be(0, 4) + be(3, 4);
  footer.resize(512, '\0');
  std::string header = "cxsparse" + be(UINT64_MAX, 8) + be(1536, 8) + be(0x00010000, 4) + be(1, 4) + be(block, 4);
  header.resize(1024, '\0');
  std::string out = footer + header + be(4, 4);  // one table entry: the block's bitmap at sector 4
  out.resize(1536 + 512, '\xFF');
  std::string data = disk;
  data.resize(block, '\0');
  return out + std::string(512, '\xFF') + data + footer;
}

}  // namespace

TEST_CASE("an ISO 9660 image is opened: its executable and shortcut are found under their Joliet names") {
  const FileReport r = inspect("invoice.iso", fixture("invoice.iso"));
  INFO(names(r));
  CHECK(r.kind == "iso");
  CHECK(r.incomplete.empty());
  const FileReport* exe = child(r, "invoice.iso/setup.exe");
  REQUIRE(exe != nullptr);
  CHECK(exe->kind == "exe");
  CHECK(exe->executable);
  const FileReport* lnk = child(r, "invoice.iso/docs/請求書.pdf.lnk");
  REQUIRE(lnk != nullptr);
  CHECK(lnk->kind == "lnk");
  const FileReport* txt = child(r, "invoice.iso/readme.txt");
  REQUIRE(txt != nullptr);
  CHECK(txt->text == "readme\n");
}

TEST_CASE("a FAT image and the same volume in a fixed and a dynamic VHD are opened with their long names") {
  const std::string img = fixture("invoice.img");
  struct Case {
    std::string name, bytes, kind;
  };
  const std::vector<Case> cases = {{"invoice.img", img, "img"},
                                   {"invoice.vhd", fixture("invoice.vhd"), "vhd"},
                                   {"sparse.vhd", dynamic_vhd(img), "vhd"}};
  for (const Case& c : cases) {
    INFO(c.name);
    const FileReport r = inspect(c.name, c.bytes);
    INFO(names(r));
    for (const auto& p : r.problems) INFO(p);
    CHECK(r.kind == c.kind);
    CHECK(r.incomplete.empty());
    const FileReport* exe = child(r, c.name + "/setup.exe");
    REQUIRE(exe != nullptr);
    CHECK(exe->executable);
    const FileReport* lnk = child(r, c.name + "/docs/請求書.pdf.lnk");
    REQUIRE(lnk != nullptr);
    CHECK(lnk->kind == "lnk");
  }
}

TEST_CASE("a FAT image whose directory points at itself is read once and marked incomplete") {
  std::string img = fixture("invoice.img");
  // The "docs" directory's 8.3 entry in the root, and the "." entry that starts docs' own cluster.
  const std::size_t docs = img.find("DOCS       \x10");
  REQUIRE(docs != std::string::npos);
  const std::size_t inner = img.find(".          \x10", docs);  // the "." entry inside docs
  REQUIRE(inner != std::string::npos);
  // Give docs, in its first free slot, a subdirectory entry that points at docs itself.
  std::string loop = img.substr(docs, 32);
  loop.replace(0, 11, "AGAIN      ");
  std::size_t slot = inner;
  while (img[slot] != '\0') slot += 32;
  img.replace(slot, 32, loop);
  const FileReport r = inspect("loop.img", img);
  CHECK_FALSE(r.incomplete.empty());
  CHECK(has_problem(r, "loop"));
  CHECK(child(r, "loop.img/setup.exe") != nullptr);
}

TEST_CASE("images and media get their kinds; unrecognised binary content is unknown") {
  struct Case {
    std::string bytes, kind;
  };
  const std::string zeros(64, '\0');
  const std::vector<Case> cases = {
      {"\x89PNG\r\n\x1A\n" + zeros, "png"},
      {"\xFF\xD8\xFF\xE0" + zeros, "jpeg"},
      {"GIF89a" + zeros, "gif"},
      {std::string("\0\0\0\x20" "ftypisom", 12) + zeros, "mp4"},
      {std::string("RIFF\x10\0\0\0WAVEfmt ", 16) + zeros, "wav"},
      {std::string("II*\0", 4) + zeros, "tiff"},
      {std::string("ID3\x04\0", 5) + zeros, "mp3"},
      {std::string("\x00\x01\x02\x03\xFE\x00\x9C\x11", 8) + zeros, "unknown"},
      {std::string(8192, '\0'), "unknown"},
      {"plain words\n", "text"},
  };
  for (const Case& c : cases) {
    INFO(c.kind);
    CHECK(inspect("file", c.bytes).kind == c.kind);
  }
}

TEST_CASE("a UDF image without an ISO 9660 tree is opened through its file entries") {
  const std::string udf = gunzip(fixture("udf-only.iso.gz"));
  REQUIRE(udf.find("CD001") == std::string::npos);
  const FileReport r = inspect("invoice.iso", udf);
  INFO(names(r));
  for (const auto& p : r.problems) INFO(p);
  CHECK(r.kind == "udf");
  CHECK(r.incomplete.empty());
  const FileReport* exe = child(r, "invoice.iso/setup.exe");
  REQUIRE(exe != nullptr);
  CHECK(exe->executable);
  const FileReport* lnk = child(r, "invoice.iso/docs/請求書.pdf.lnk");
  REQUIRE(lnk != nullptr);
  CHECK(lnk->kind == "lnk");
  const FileReport* txt = child(r, "invoice.iso/readme.txt");
  REQUIRE(txt != nullptr);
  CHECK(txt->text == "readme\n");
}

TEST_CASE("a UDF image without descriptors and a VHDX are recognised, and marked incomplete as not read") {
  std::string udf(40 * 2048, '\0');
  udf.replace(16 * 2048 + 1, 5, "BEA01");
  udf.replace(17 * 2048 + 1, 5, "NSR02");
  const FileReport u = inspect("a.iso", udf);
  CHECK(u.kind == "udf");
  CHECK_FALSE(u.incomplete.empty());
  CHECK(has_problem(u, "volume descriptor sequence"));
  const FileReport x = inspect("a.vhdx", "vhdxfile" + std::string(1024, '\0'));
  CHECK(x.kind == "vhdx");
  CHECK_FALSE(x.incomplete.empty());
}
