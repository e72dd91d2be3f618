// inspect() on hostile input: random buffers behind every magic number the sniffer knows, truncations and
// byte mutations of valid ZIP, OOXML, CFB, PDF and 7z files, and the wall-time limit. The only claims are
// that nothing crashes, nothing throws, and every call returns promptly with a kind.
#include <doctest/doctest.h>

#include <chrono>
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

long long elapsed_ms(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
}

// Valid samples of every container format, made by tools where the format needs one.
std::vector<std::string> samples() {
  const std::string dir = scratch_dir();
  spit(dir + "/gen.py",
       "import openpyxl\nwb = openpyxl.Workbook()\nwb.active['A1'] = 'x'\nwb.create_sheet('h').sheet_state = 'hidden'\n"
       "wb.save('a.xlsx')\n");
  spit(dir + "/t.txt", std::string(3000, 'a') + "\n");
  run("cd " + dir + " && /usr/bin/python3 gen.py && 7z a -bd -psecret a.7z t.txt >/dev/null && zip -q -e -P s e.zip t.txt"
      " && gzip -k t.txt");
  std::vector<std::string> out = {slurp(dir + "/a.xlsx"), slurp(dir + "/a.7z"), slurp(dir + "/e.zip"),
                                  slurp(dir + "/t.txt.gz")};
  out.push_back(build_zip({{"a.txt", "hello"}, {"b/c.zip", build_zip({{"d.exe", "MZ"}})}, {"e.txt", "x", false}}));
  out.push_back(build_cfb({{"WordDocument", std::string(64, '\x01')}, {"Macros/VBA/dir", "d"}}));
  out.push_back(build_cfb({{"Workbook", std::string("\x09\x08\x04\0\0\x06\0\0\x85\0\x0A\0\0\0\0\0\0\x03\0a", 20)}}));
  out.push_back("%PDF-1.4\n1 0 obj << /Length 20 >>\nstream\nBT (hi) Tj ET      \nendstream endobj\n"
                "trailer << /Root 1 0 R /Encrypt << /Filter /Standard /R 6 /U (x) >> >>\n");
  return out;
}

}  // namespace

TEST_CASE("inspect: 2000 random buffers behind known magic numbers") {
  const std::vector<std::string> magics = {"",
                                           "PK\x03\x04",
                                           std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x3E\0\x03\0\xFE\xFF\x09\0", 16),
                                           "%PDF-1.7\n",
                                           "7z\xBC\xAF\x27\x1C",
                                           std::string("Rar!\x1A\x07\x00", 7),
                                           std::string("Rar!\x1A\x07\x01\x00", 8),
                                           "\x1F\x8B\x08",
                                           "MZ",
                                           "#!"};
  std::mt19937 rng(12345);
  for (int i = 0; i < 2000; ++i) {
    std::string b = magics[static_cast<std::size_t>(i) % magics.size()];
    const std::size_t n = rng() % (i % 10 == 0 ? 70000 : 4096);
    for (std::size_t k = 0; k < n; ++k) b += static_cast<char>(rng() & 0xFF);
    const auto t0 = std::chrono::steady_clock::now();
    const FileReport r = inspect("random.bin", b);
    CHECK(!r.kind.empty());
    CHECK(elapsed_ms(t0) < 3500);
  }
}

TEST_CASE("inspect: truncated and mutated real files do not crash") {
  std::mt19937 rng(777);
  Limits limits;
  limits.max_milliseconds = 2000;
  for (const std::string& sample : samples()) {
    for (std::size_t cut = 0; cut < sample.size(); cut += std::max<std::size_t>(1, sample.size() / 97)) {
      const FileReport r = inspect("cut", sample.substr(0, cut), limits);
      CHECK(!r.kind.empty());
    }
    for (int i = 0; i < 300; ++i) {
      std::string m = sample;
      const int flips = 1 + static_cast<int>(rng() % 8);
      for (int f = 0; f < flips; ++f) m[rng() % m.size()] = static_cast<char>(rng() & 0xFF);
      const auto t0 = std::chrono::steady_clock::now();
      const FileReport r = inspect("mutated", m, limits);
      CHECK(!r.kind.empty());
      CHECK(elapsed_ms(t0) < 2500);
    }
  }
}

TEST_CASE("inspect: the time limit cuts a large archive short") {
  std::vector<ZipItem> items;
  std::mt19937 rng(1);
  for (int i = 0; i < 200; ++i) {
    std::string data(128 * 1024, '\0');
    for (char& c : data) c = static_cast<char>('a' + rng() % 26);
    items.push_back({"part" + std::to_string(i) + ".txt", data});
  }
  const std::string zip = build_zip(items);  // about 25 MB of text, compressed to ~16 MB
  auto t0 = std::chrono::steady_clock::now();
  const FileReport full = inspect("big.zip", zip);
  const long long full_ms = elapsed_ms(t0);
  MESSAGE("inspecting a " << zip.size() / 1024 << " KiB zip of 200 text files took " << full_ms << " ms");
  CHECK(full.children.size() == 200);
  Limits limits;
  limits.max_milliseconds = 0;
  t0 = std::chrono::steady_clock::now();
  const FileReport cut = inspect("big.zip", zip, limits);
  CHECK(incomplete_for(cut, "time"));
  CHECK(cut.children.size() < 200);
  CHECK(elapsed_ms(t0) < 500);
}
