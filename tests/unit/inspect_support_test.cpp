// Helpers for the inspect_*_test.cpp files: a scratch directory, running external tools (a missing tool
// fails the test, never skips it), and byte-level builders for ZIP and compound files, so malformed or
// unusual inputs (CP932 names without the UTF-8 flag, bombs, encrypted-OOXML containers) need no tool, and an
// address-space cap for tests of memory amplification. Declared in inspect_support.hpp.
#include <doctest/doctest.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "inspect_support.hpp"

namespace inspect_test {

namespace {
std::vector<std::string>& scratch_dirs() {
  static auto* dirs = new std::vector<std::string>;  // never destroyed: the atexit handler still needs it
  return *dirs;
}
void remove_scratch_dirs() {
  std::error_code ignored;
  for (const std::string& d : scratch_dirs()) std::filesystem::remove_all(d, ignored);
}
}  // namespace

// A fresh directory under /tmp, removed when the test binary exits.
std::string scratch_dir() {
  static std::once_flag once;
  std::call_once(once, [] { std::atexit(remove_scratch_dirs); });
  char tmpl[] = "/tmp/preflight-inspect-XXXXXX";
  const char* d = mkdtemp(tmpl);
  REQUIRE(d != nullptr);
  scratch_dirs().push_back(d);
  return d;
}

void run(const std::string& command) {
  const int rc = std::system(command.c_str());
  INFO("command: " << command);
  REQUIRE(rc == 0);  // a missing tool (apt packages: zip, 7zip, qpdf, python3-openpyxl ...) fails here
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void spit(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary);
  out << data;
  REQUIRE(out.good());
}

namespace {
void put16(std::string& s, unsigned v) {
  s += static_cast<char>(v & 0xFF);
  s += static_cast<char>((v >> 8) & 0xFF);
}
void put32(std::string& s, std::uint32_t v) {
  put16(s, v & 0xFFFF);
  put16(s, v >> 16);
}
std::string raw_deflate(const std::string& data) {
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&zs, data.size()) + 16, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}
}  // namespace

std::string build_zip(const std::vector<ZipItem>& items, bool zip64_end) {
  std::string out, central;
  for (const ZipItem& it : items) {
    const std::string body = it.deflate ? raw_deflate(it.data) : it.data;
    const auto crc = crc32(0, reinterpret_cast<const Bytef*>(it.data.data()), static_cast<uInt>(it.data.size()));
    std::string common;
    put16(common, 20);
    put16(common, it.flags);
    put16(common, it.method >= 0 ? static_cast<unsigned>(it.method) : it.deflate ? 8 : 0);
    put32(common, 0);  // time, date
    put32(common, crc);
    put32(common, static_cast<std::uint32_t>(body.size()));
    put32(common, static_cast<std::uint32_t>(it.data.size()));
    put16(common, static_cast<unsigned>(it.name.size()));
    put16(common, 0);
    const auto offset = static_cast<std::uint32_t>(out.size());
    out += std::string("PK\x03\x04", 4) + common + it.name + body;
    central += std::string("PK\x01\x02", 4);
    put16(central, 20);
    central += common;
    put16(central, 0);  // comment
    put16(central, 0);  // disk
    put16(central, 0);  // internal attributes
    put32(central, 0);  // external attributes
    put32(central, offset);
    central += it.name;
  }
  const auto cd_offset = static_cast<std::uint32_t>(out.size());
  out += central;
  if (zip64_end) {
    const auto record = static_cast<std::uint32_t>(out.size());
    out += std::string("PK\x06\x06", 4);
    put32(out, 44), put32(out, 0);  // size of the rest of the record (64 bits)
    put16(out, 45), put16(out, 45), put32(out, 0), put32(out, 0);
    for (std::uint64_t v : {std::uint64_t{items.size()}, std::uint64_t{items.size()}, std::uint64_t{central.size()},
                            std::uint64_t{cd_offset}})
      put32(out, static_cast<std::uint32_t>(v)), put32(out, static_cast<std::uint32_t>(v >> 32));
    out += std::string("PK\x06\x07", 4);
    put32(out, 0), put32(out, record), put32(out, 0), put32(out, 1);
    out += std::string("PK\x05\x06\0\0\0\0", 8) + std::string(12, '\xFF');
    put16(out, 0);
    return out;
  }
  out += std::string("PK\x05\x06\0\0\0\0", 8);
  put16(out, static_cast<unsigned>(items.size()));
  put16(out, static_cast<unsigned>(items.size()));
  put32(out, static_cast<std::uint32_t>(central.size()));
  put32(out, cd_offset);
  put16(out, 0);
  return out;
}

bool incomplete_for(const preflight::inspect::FileReport& report, const std::string& reason) {
  return std::find(report.incomplete.begin(), report.incomplete.end(), reason) != report.incomplete.end();
}

// Version 3 compound file, 512-byte sectors, every stream padded to 4096 bytes so no mini stream is needed.
// Siblings are chained through their right links (a valid, if unbalanced, tree).
std::string build_cfb(const std::vector<CfbItem>& items) {
  struct Node {
    std::string name, data;
    int type, parent;
    int child = -1, right = -1;
    std::uint32_t start = 0xFFFFFFFE;
  };
  std::vector<Node> nodes{{"Root Entry", "", 5, -1}};
  for (const CfbItem& it : items) {
    int parent = 0;
    std::size_t pos = 0;
    while (true) {
      const std::size_t slash = it.path.find('/', pos);
      const std::string name = it.path.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
      const bool leaf = slash == std::string::npos;
      int found = -1;
      for (std::size_t i = 0; i < nodes.size(); ++i)
        if (nodes[i].parent == parent && nodes[i].name == name) found = static_cast<int>(i);
      if (found < 0) {
        nodes.push_back({name, leaf ? it.data : "", leaf ? 2 : 1, parent});
        found = static_cast<int>(nodes.size() - 1);
        Node& p = nodes[static_cast<std::size_t>(parent)];
        if (p.child < 0) p.child = found;
        else {
          int last = p.child;
          while (nodes[static_cast<std::size_t>(last)].right >= 0) last = nodes[static_cast<std::size_t>(last)].right;
          nodes[static_cast<std::size_t>(last)].right = found;
        }
      }
      if (leaf) break;
      parent = found;
      pos = slash + 1;
    }
  }
  for (Node& n : nodes)
    if (n.type == 2 && n.data.size() < 4096) n.data.resize(4096, '\0');
  const std::size_t dir_sectors = (nodes.size() * 128 + 511) / 512;
  std::size_t data_sectors = 0;
  for (const Node& n : nodes) data_sectors += (n.data.size() + 511) / 512;
  std::size_t fat_sectors = 1;
  while (fat_sectors * 128 < fat_sectors + dir_sectors + data_sectors) ++fat_sectors;
  REQUIRE(fat_sectors <= 109);
  std::vector<std::uint32_t> fat(fat_sectors * 128, 0xFFFFFFFF);
  for (std::size_t i = 0; i < fat_sectors; ++i) fat[i] = 0xFFFFFFFD;
  auto chain = [&](std::size_t first, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) fat[first + i] = i + 1 < count ? static_cast<std::uint32_t>(first + i + 1) : 0xFFFFFFFE;
  };
  chain(fat_sectors, dir_sectors);
  std::size_t next = fat_sectors + dir_sectors;
  std::string body;
  for (Node& n : nodes) {
    if (n.type != 2) continue;
    const std::size_t count = (n.data.size() + 511) / 512;
    n.start = static_cast<std::uint32_t>(next);
    chain(next, count);
    next += count;
    std::string padded = n.data;
    padded.resize(count * 512, '\0');
    body += padded;
  }
  std::string out("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
  out.resize(0x18, '\0');
  put16(out, 0x3E);
  put16(out, 3);
  put16(out, 0xFFFE);
  put16(out, 9);
  put16(out, 6);
  out.resize(0x2C, '\0');
  put32(out, static_cast<std::uint32_t>(fat_sectors));
  put32(out, static_cast<std::uint32_t>(fat_sectors));  // first directory sector
  put32(out, 0);
  put32(out, 4096);
  put32(out, 0xFFFFFFFE);  // no mini FAT
  put32(out, 0);
  put32(out, 0xFFFFFFFE);  // no DIFAT sectors
  put32(out, 0);
  for (std::size_t i = 0; i < 109; ++i) put32(out, i < fat_sectors ? static_cast<std::uint32_t>(i) : 0xFFFFFFFF);
  for (std::uint32_t v : fat) put32(out, v);
  std::string dir;
  for (const Node& n : nodes) {
    std::string e;
    for (char c : n.name) put16(e, static_cast<unsigned char>(c));
    e.resize(64, '\0');
    put16(e, static_cast<unsigned>(n.name.size() * 2 + 2));
    e += static_cast<char>(n.type);
    e += '\x01';
    put32(e, 0xFFFFFFFF);  // left
    put32(e, n.right < 0 ? 0xFFFFFFFF : static_cast<std::uint32_t>(n.right));
    put32(e, n.child < 0 ? 0xFFFFFFFF : static_cast<std::uint32_t>(n.child));
    e.resize(0x74, '\0');
    put32(e, n.start);
    put32(e, static_cast<std::uint32_t>(n.data.size()));
    put32(e, 0);
    dir += e;
  }
  dir.resize(dir_sectors * 512, '\0');
  return out + dir + body;
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define PREFLIGHT_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define PREFLIGHT_TEST_SANITIZED 1
#endif
#endif

AddressSpaceCap::AddressSpaceCap(std::size_t headroom) {
#ifndef PREFLIGHT_TEST_SANITIZED
  std::ifstream statm("/proc/self/statm");
  std::size_t pages = 0;
  statm >> pages;
  REQUIRE(pages > 0);
  REQUIRE(getrlimit(RLIMIT_AS, &saved_) == 0);
  const rlim_t want = static_cast<rlim_t>(pages) * static_cast<rlim_t>(sysconf(_SC_PAGESIZE)) + headroom;
  if (saved_.rlim_cur != RLIM_INFINITY && saved_.rlim_cur <= want) return;  // already tighter
  rlimit capped = saved_;
  capped.rlim_cur = want;
  REQUIRE(setrlimit(RLIMIT_AS, &capped) == 0);
  active_ = true;
#else
  (void)headroom;
#endif
}

AddressSpaceCap::~AddressSpaceCap() {
  if (active_) setrlimit(RLIMIT_AS, &saved_);
}

}  // namespace inspect_test
