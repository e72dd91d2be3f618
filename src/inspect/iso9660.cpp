// read_iso9660 (disk_image.hpp): the directory tree of an ISO 9660 image, from the Joliet supplementary
// volume descriptor when there is one (UTF-16BE names, as Windows shows them), else from the primary one
// (";1" versions stripped). Each directory extent is read once and at most kMaxDirDepth deep.
#include <set>
#include <vector>

#include "disk_image.hpp"
#include "preflight/util/charset.hpp"

namespace preflight::inspect::detail {

namespace {

constexpr std::size_t kSectorSize = 2048;
constexpr int kMaxDescriptors = 64;
constexpr int kMaxDirDepth = 32;

struct Root {
  std::string_view record;  // the root directory record
  std::size_t block = kSectorSize;
  bool joliet = false;
};

Root find_root(std::string_view img) {
  Root primary, joliet;
  for (int i = 0; i < kMaxDescriptors; ++i) {
    const std::string_view d = slice(img, (16 + i) * kSectorSize, kSectorSize);
    if (d.size() < 190 || d.substr(1, 5) != "CD001") break;
    const std::uint8_t type = u8(d, 0);
    if (type == 255) break;
    const std::size_t block = le16(d, 128) >= 512 && le16(d, 128) <= kSectorSize ? le16(d, 128) : kSectorSize;
    const std::string_view esc = d.substr(88, 3);
    if (type == 1 && primary.record.empty()) primary = {d.substr(156, 34), block, false};
    if (type == 2 && (esc == "%/@" || esc == "%/C" || esc == "%/E")) joliet = {d.substr(156, 34), block, true};
  }
  return joliet.record.empty() ? primary : joliet;
}

std::string record_name(std::string_view raw, bool joliet) {
  std::string name = joliet ? util::to_utf8(raw.substr(0, raw.size() & ~std::size_t{1}), "UTF-16BE")
                            : util::guess_to_utf8(raw);
  if (const std::size_t semi = name.rfind(';'); semi != std::string::npos) name.resize(semi);
  if (!name.empty() && name.back() == '.') name.pop_back();
  for (char& c : name)
    if (c == '/' || c == '\0') c = '_';
  return name;
}

struct Dir {
  std::uint32_t extent;
  std::uint32_t size;
  std::string path;
  int depth;
};

class IsoWalk {
 public:
  IsoWalk(FileReport& r, std::string_view img, const Root& root, int depth, Budget& budget)
      : r_(r), img_(img), root_(root), depth_(depth), budget_(budget) {}

  void run() {
    std::vector<Dir> todo = {{le32(root_.record, 2), le32(root_.record, 10), "", 0}};
    while (!todo.empty() && !stopped_) {
      const Dir d = todo.back();
      todo.pop_back();
      if (d.depth > kMaxDirDepth) {
        problem("directories nested deeper than " + std::to_string(kMaxDirDepth));
        continue;
      }
      if (!seen_.insert(d.extent).second) {
        problem("directory read twice (a loop)");
        continue;
      }
      directory(d, todo);
    }
  }

 private:
  void problem(const std::string& p) {
    mark_incomplete(r_, "corrupt");
    r_.problems.push_back(p);
  }

  void directory(const Dir& d, std::vector<Dir>& todo) {
    const std::string_view data = slice(img_, std::uint64_t{d.extent} * root_.block, d.size);
    if (data.size() < d.size) problem("directory past the end of the image");
    for (std::size_t at = 0; at < data.size() && !stopped_;) {
      const std::uint8_t len = u8(data, at);
      if (len == 0) {  // records never cross a sector: the rest of this one is padding
        at = (at / kSectorSize + 1) * kSectorSize;
        continue;
      }
      if (len < 34) break;
      const std::string_view rec = slice(data, at, len);
      at += len;
      const std::uint8_t name_len = u8(rec, 32), flags = u8(rec, 25);
      const std::string_view raw = slice(rec, 33, name_len);
      if (raw == std::string_view("\0", 1) || raw == "\x01") continue;  // . and ..
      const std::string path = d.path + record_name(raw, root_.joliet);
      if (flags & 0x02) {
        todo.push_back({le32(rec, 2), le32(rec, 10), path + "/", d.depth + 1});
        continue;
      }
      const std::string_view file = slice(img_, std::uint64_t{le32(rec, 2)} * root_.block, le32(rec, 10));
      if (file.size() < le32(rec, 10)) problem(path + ": past the end of the image");
      stopped_ = !add_image_file(r_, r_.name + "/" + path, file, depth_, budget_);
    }
  }

  FileReport& r_;
  std::string_view img_;
  Root root_;
  int depth_;
  Budget& budget_;
  std::set<std::uint32_t> seen_;
  bool stopped_ = false;
};

}  // namespace

void read_iso9660(FileReport& r, std::string_view img, int depth, Budget& budget) {
  const Root root = find_root(img);
  if (root.record.empty()) {
    mark_incomplete(r, "corrupt");
    r.problems.push_back("ISO 9660 image without a readable volume descriptor");
    return;
  }
  IsoWalk(r, img, root, depth, budget).run();
}

}  // namespace preflight::inspect::detail
