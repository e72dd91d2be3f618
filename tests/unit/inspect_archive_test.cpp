// inspect(): archives. ZIP (plain, ZipCrypto, WinZip AES), entry-name decoding (CP932 without the UTF-8
// flag, Info-ZIP Unicode Path), executables inside archives, zip bombs, nesting beyond max_depth, entry
// limits, 7z and RAR encryption, gzip members. Inputs come from real tools (zip, 7z) or are built byte by byte.
#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "preflight/inspect/inspect.hpp"

#include "inspect_support.hpp"

using namespace inspect_test;
using preflight::inspect::FileReport;
using preflight::inspect::inspect;
using preflight::inspect::Limits;

namespace {

std::string pe_bytes() {
  std::string b(0x200, '\0');
  b[0] = 'M', b[1] = 'Z', b[0x3C] = '\x80';
  b.replace(0x80, 4, std::string("PE\0\0", 4));
  return b;
}

std::string lnk_bytes() {
  std::string b("\x4C\0\0\0\x01\x14\x02\0\0\0\0\0\xC0\0\0\0\0\0\0\x46", 20);
  b.resize(0x4C + 16, '\0');
  return b;
}

const FileReport* child_named(const FileReport& r, const std::string& name) {
  for (const FileReport& c : r.children)
    if (c.name == name) return &c;
  return nullptr;
}

int tree_depth(const FileReport& r) {
  int d = 0;
  for (const FileReport& c : r.children) d = std::max(d, 1 + tree_depth(c));
  return d;
}

}  // namespace

TEST_CASE("inspect: plain zip made by zip lists its entries and reads their text") {
  const std::string dir = scratch_dir();
  spit(dir + "/memo.txt", "お客様リスト\n田中様\n");
  spit(dir + "/data.csv", "name,tel\nTanaka,03-1234-5678\n");
  run("cd " + dir + " && zip -q plain.zip memo.txt data.csv");
  const FileReport r = inspect("plain.zip", slurp(dir + "/plain.zip"));
  CHECK(r.kind == "zip");
  CHECK_FALSE(r.encrypted);
  REQUIRE(r.children.size() == 2);
  const FileReport* memo = child_named(r, "plain.zip/memo.txt");
  REQUIRE(memo);
  CHECK(memo->kind == "text");
  CHECK(memo->text.find("田中様") != std::string::npos);
  const FileReport* csv = child_named(r, "plain.zip/data.csv");
  REQUIRE(csv);
  CHECK(csv->kind == "csv");
  CHECK_FALSE(r.bomb);
  CHECK(r.incomplete.empty());
}

TEST_CASE("inspect: ZipCrypto zip is encrypted (zip -e)") {
  const std::string dir = scratch_dir();
  spit(dir + "/secret.txt", "confidential");
  run("cd " + dir + " && zip -q -e -P secret enc.zip secret.txt");
  const FileReport r = inspect("enc.zip", slurp(dir + "/enc.zip"));
  CHECK(r.kind == "zip");
  CHECK(r.encrypted);
  CHECK(r.encryption == "zipcrypto");
  REQUIRE(r.children.size() == 1);
  CHECK(r.children[0].encrypted);
}

TEST_CASE("inspect: WinZip AES zip is encrypted (7z -mem=AES256)") {
  const std::string dir = scratch_dir();
  spit(dir + "/secret.txt", "confidential");
  run("cd " + dir + " && 7z a -bd -tzip -mem=AES256 -psecret aes.zip secret.txt >/dev/null");
  const FileReport r = inspect("aes.zip", slurp(dir + "/aes.zip"));
  CHECK(r.kind == "zip");
  CHECK(r.encrypted);
  CHECK(r.encryption == "zip-aes");
}

TEST_CASE("inspect: 7z archives, plain, with encrypted data, and with encrypted headers") {
  const std::string dir = scratch_dir();
  spit(dir + "/secret.txt", std::string(5000, 'x') + "confidential");
  run("cd " + dir + " && 7z a -bd plain.7z secret.txt >/dev/null && 7z a -bd -psecret data.7z secret.txt >/dev/null"
      " && 7z a -bd -psecret -mhe=on hdr.7z secret.txt >/dev/null");
  const FileReport plain = inspect("plain.7z", slurp(dir + "/plain.7z"));
  CHECK(plain.kind == "7z");
  CHECK_FALSE(plain.encrypted);
  const FileReport data = inspect("data.7z", slurp(dir + "/data.7z"));
  CHECK(data.kind == "7z");
  CHECK(data.encrypted);
  CHECK(data.encryption == "7z");
  const FileReport hdr = inspect("hdr.7z", slurp(dir + "/hdr.7z"));
  CHECK(hdr.encrypted);
  CHECK(hdr.encryption == "7z");
}

TEST_CASE("inspect: CP932 entry names without the UTF-8 flag are decoded") {
  const std::string name = "\x8c\xda\x8b\x71\x88\xea\x97\x97.csv";  // 顧客一覧.csv in CP932
  const FileReport r = inspect("list.zip", build_zip({{name, "a,b\n1,2\n"}}));
  REQUIRE(r.children.size() == 1);
  CHECK(r.children[0].name == "list.zip/顧客一覧.csv");
  CHECK(r.children[0].kind == "csv");
}

TEST_CASE("zip_entry_name: flag, Unicode Path field, UTF-8, CP932, CP437") {
  using preflight::inspect::zip_entry_name;
  CHECK(zip_entry_name("名簿.txt", true, {}) == "名簿.txt");
  CHECK(zip_entry_name("\x96\xbc\x95\xeb.txt", false, {}) == "名簿.txt");
  CHECK(zip_entry_name("caf\xc3\xa9", false, {}) == "café");
  CHECK(zip_entry_name("\x80\xfd", false, {}) == "Ç²");  // not CP932 (0xFD is unused): CP437
  // A Unicode Path field whose CRC-32 matches the raw name wins; a stale one (name edited since) loses.
  const std::string raw = "\x96\xbc.txt";
  auto field = [&](std::uint32_t crc) {
    std::string f(1, '\x01');
    for (int i = 0; i < 4; ++i) f += static_cast<char>((crc >> (8 * i)) & 0xFF);
    return f + "other.txt";
  };
  std::uint32_t crc = 0xFFFFFFFF;  // CRC-32 of `raw`, computed bitwise so the test does not trust zlib
  for (unsigned char c : raw) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  crc ^= 0xFFFFFFFF;
  CHECK(zip_entry_name(raw, false, field(crc)) == "other.txt");
  CHECK(zip_entry_name(raw, false, field(crc ^ 1)) == "名.txt");
}

TEST_CASE("inspect: executables inside a zip are found by content, scripts by name") {
  const std::string elf = std::string("\x7F" "ELF\x02\x01\x01", 7) + std::string(64, '\0');
  const FileReport r = inspect("docs.zip", build_zip({{"invoice.pdf.exe", pe_bytes()},
                                                      {"photo.jpg", pe_bytes()},
                                                      {"shortcut.lnk", lnk_bytes()},
                                                      {"run.js", "WScript.Echo('x');"},
                                                      {"tool", elf},
                                                      {"readme.txt", "just text"}}));
  REQUIRE(r.children.size() == 6);
  CHECK(child_named(r, "docs.zip/invoice.pdf.exe")->kind == "exe");
  CHECK(child_named(r, "docs.zip/photo.jpg")->kind == "exe");  // the name does not hide it
  CHECK(child_named(r, "docs.zip/shortcut.lnk")->kind == "lnk");
  CHECK(child_named(r, "docs.zip/run.js")->kind == "script");
  CHECK(child_named(r, "docs.zip/tool")->kind == "elf");
  for (const char* n : {"invoice.pdf.exe", "photo.jpg", "shortcut.lnk", "run.js", "tool"})
    CHECK(child_named(r, std::string("docs.zip/") + n)->executable);
  CHECK_FALSE(child_named(r, "docs.zip/readme.txt")->executable);
  CHECK_FALSE(r.executable);  // the archive itself is not; its children say what is inside
}

TEST_CASE("inspect: a zip bomb is reported quickly without expanding it") {
  const std::string bomb = build_zip({{"zeros.bin", std::string(10 * 1024 * 1024, '\0')}});
  CHECK(bomb.size() < 64 * 1024);
  const auto t0 = std::chrono::steady_clock::now();
  const FileReport r = inspect("bomb.zip", bomb);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  CHECK(r.bomb);
  CHECK(r.incomplete == std::vector<std::string>{"ratio"});
  CHECK(ms < 1000);
  // The same zeros under the total-size limit: a small max_expanded trips on size, not ratio.
  Limits small;
  small.max_ratio = 1e9;
  small.max_expanded = 1024 * 1024;
  const FileReport sized = inspect("bomb.zip", bomb, small);
  CHECK(sized.bomb);
  CHECK(sized.incomplete == std::vector<std::string>{"bytes"});
}

TEST_CASE("inspect: nesting beyond max_depth is cut and marked incomplete for depth") {
  std::string inner = build_zip({{"deep.exe", pe_bytes()}});
  for (int i = 0; i < 5; ++i) inner = build_zip({{"level" + std::to_string(i) + ".zip", inner}});
  Limits limits;
  limits.max_depth = 3;
  const FileReport r = inspect("outer.zip", inner, limits);
  CHECK(r.incomplete == std::vector<std::string>{"depth"});
  CHECK(tree_depth(r) <= 3);
  // Within the limit the executable at the bottom is found.
  limits.max_depth = 10;
  const FileReport all = inspect("outer.zip", inner, limits);
  CHECK(all.incomplete.empty());
  CHECK(tree_depth(all) == 6);
}

TEST_CASE("inspect: max_entries bounds the entries looked at") {
  std::vector<ZipItem> items;
  for (int i = 0; i < 50; ++i) items.push_back({"f" + std::to_string(i) + ".txt", "x"});
  Limits limits;
  limits.max_entries = 10;
  const FileReport r = inspect("many.zip", build_zip(items), limits);
  CHECK(r.incomplete == std::vector<std::string>{"entries"});
  CHECK(r.children.size() <= 10);
}

TEST_CASE("inspect: gzip member is inspected as a child") {
  const std::string dir = scratch_dir();
  spit(dir + "/run.sh", "#!/bin/sh\necho hi\n");
  run("cd " + dir + " && gzip -k run.sh");
  const FileReport r = inspect("run.sh.gz", slurp(dir + "/run.sh.gz"));
  CHECK(r.kind == "gzip");
  REQUIRE(r.children.size() == 1);
  CHECK(r.children[0].kind == "script");
  CHECK(r.children[0].executable);
}

TEST_CASE("inspect: RAR signatures and encryption flags") {
  // RAR 4: marker block, then a main header (type 0x73) with flag 0x0080, encrypted block headers.
  std::string rar4("Rar!\x1A\x07\x00", 7);
  rar4 += std::string("\0\0\x73\x80\x00\x0D\x00", 7) + std::string(6, '\0');
  FileReport r = inspect("a.rar", rar4);
  CHECK(r.kind == "rar");
  CHECK(r.encrypted);
  CHECK(r.encryption == "rar");
  // RAR 5: signature, then an archive encryption header (type 4).
  std::string rar5("Rar!\x1A\x07\x01\x00", 8);
  rar5 += std::string("\0\0\0\0\x03\x04\x00\x00", 8);
  r = inspect("b.rar", rar5);
  CHECK(r.kind == "rar");
  CHECK(r.encrypted);
  // RAR 5 with only a main header: not encrypted.
  std::string plain("Rar!\x1A\x07\x01\x00", 8);
  plain += std::string("\0\0\0\0\x03\x01\x00\x00", 8);
  CHECK_FALSE(inspect("c.rar", plain).encrypted);
}
