// read_fat (disk_image.hpp): FAT12/16/32 volumes. Directories and files are followed through the FAT with
// loop and range checks (a chain is never longer than the volume has clusters); names are the long (VFAT)
// names when present, else 8.3 names with the NT lower-case flags. Each directory is read once.
#include <set>
#include <vector>

#include "disk_image.hpp"
#include "preflight/util/charset.hpp"

namespace preflight::inspect::detail {

namespace {

constexpr int kMaxDirDepth = 32;

struct Geometry {
  std::uint32_t bps = 0, spc = 0, fat_at = 0, fat_bytes = 0, root_at = 0, root_bytes = 0, data_at = 0;
  std::uint32_t clusters = 0, root_cluster = 0;
  int bits = 12;
};

Geometry geometry(std::string_view v) {
  Geometry g;
  g.bps = le16(v, 11);
  g.spc = u8(v, 13);
  const std::uint32_t reserved = le16(v, 14), fats = u8(v, 16), root_entries = le16(v, 17);
  const std::uint32_t fat_sectors = le16(v, 22) ? le16(v, 22) : le32(v, 36);
  const std::uint32_t total = le16(v, 19) ? le16(v, 19) : le32(v, 32);
  const std::uint32_t root_sectors = (root_entries * 32 + g.bps - 1) / g.bps;
  const std::uint64_t data_sector = reserved + std::uint64_t{fats} * fat_sectors + root_sectors;
  if (data_sector >= total) return {};
  g.fat_at = reserved * g.bps;
  g.fat_bytes = fat_sectors * g.bps;
  g.root_at = static_cast<std::uint32_t>((reserved + std::uint64_t{fats} * fat_sectors) * g.bps);
  g.root_bytes = root_entries * 32;
  g.data_at = static_cast<std::uint32_t>(data_sector * g.bps);
  g.clusters = static_cast<std::uint32_t>((total - data_sector) / g.spc);
  g.bits = g.clusters < 4085 ? 12 : g.clusters < 65525 ? 16 : 32;
  g.root_cluster = g.bits == 32 ? le32(v, 44) : 0;
  return g;
}

std::string short_name(std::string_view e) {
  auto trim = [](std::string_view s) { return s.substr(0, s.find_last_not_of(' ') + 1); };
  std::string base(trim(e.substr(0, 8))), ext(trim(e.substr(8, 3)));
  if (!base.empty() && base[0] == '\x05') base[0] = '\xE5';  // a real first byte 0xE5 (CP932 lead byte)
  const std::uint8_t lower = u8(e, 12);
  auto down = [](std::string& s) {
    for (char& c : s) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  };
  if (lower & 0x08) down(base);
  if (lower & 0x10) down(ext);
  return util::guess_to_utf8(ext.empty() ? base : base + "." + ext);
}

class FatWalk {
 public:
  FatWalk(FileReport& r, std::string_view v, const Geometry& g, std::string prefix, int depth, Budget& budget)
      : r_(r), v_(v), g_(g), prefix_(std::move(prefix)), depth_(depth), budget_(budget) {}

  void run(const std::string& path, std::uint32_t cluster, int level) {
    if (stopped_) return;
    if (level > kMaxDirDepth) return problem("directories nested deeper than " + std::to_string(kMaxDirDepth));
    if (cluster != 0 && !dirs_.insert(cluster).second) return problem("directory read twice (a loop)");
    const std::string dir = cluster == 0 && g_.bits != 32 ? std::string(slice(v_, g_.root_at, g_.root_bytes))
                                                         : chain(cluster == 0 ? g_.root_cluster : cluster, UINT32_MAX);
    std::u16string lfn;
    for (std::size_t at = 0; at + 32 <= dir.size() && !stopped_; at += 32) {
      const std::string_view e = std::string_view(dir).substr(at, 32);
      const std::uint8_t first = u8(e, 0), attr = u8(e, 11);
      if (first == 0) break;
      if (first == 0xE5) {
        lfn.clear();
        continue;
      }
      if (attr == 0x0F) {  // a long-name part: 13 UTF-16 units, the last part first
        std::u16string part;
        for (std::size_t off : {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30}) {
          const char16_t c = le16(e, off);
          if (c == 0 || c == 0xFFFF) break;
          part += c;
        }
        lfn = (first & 0x40) ? part : part + lfn;
        continue;
      }
      std::string name = lfn.empty() ? short_name(e) : utf8(lfn);
      lfn.clear();
      if ((attr & 0x08) || name == "." || name == "..") continue;
      const std::uint32_t start = le16(e, 26) | (g_.bits == 32 ? std::uint32_t{le16(e, 20)} << 16 : 0);
      if (attr & 0x10) {
        if (start != 0) run(path + name + "/", start, level + 1);
        continue;
      }
      const std::string data = start == 0 ? std::string() : chain(start, le32(e, 28));
      if (data.size() < le32(e, 28)) problem(path + name + ": cluster chain shorter than the file");
      stopped_ = !add_image_file(r_, prefix_ + path + name, data, depth_, budget_);
    }
  }

 private:
  static std::string utf8(const std::u16string& u) {
    std::string le;
    for (char16_t c : u) le += {static_cast<char>(c & 0xFF), static_cast<char>(c >> 8)};
    return util::to_utf8(le, "UTF-16LE");
  }

  void problem(const std::string& p) {
    mark_incomplete(r_, "corrupt");
    r_.problems.push_back(p);
  }

  std::uint32_t next(std::uint32_t c) const {
    if (g_.bits == 12) {
      const std::uint16_t v = le16(v_, g_.fat_at + c + c / 2);
      return (c & 1) ? v >> 4 : v & 0x0FFF;
    }
    return g_.bits == 16 ? le16(v_, g_.fat_at + 2 * c) : le32(v_, g_.fat_at + 4 * c) & 0x0FFFFFFF;
  }

  // The bytes of the chain from `c`, at most `max`; the copy counts against the budget.
  std::string chain(std::uint32_t c, std::uint32_t max) {
    std::string out;
    const std::uint32_t size = g_.bps * g_.spc;
    const std::uint32_t end = g_.bits == 12 ? 0xFF8 : g_.bits == 16 ? 0xFFF8 : 0x0FFFFFF8;
    for (std::uint32_t steps = 0; c >= 2 && c < end && out.size() < max; ++steps, c = next(c)) {
      if (c - 2 >= g_.clusters || steps > g_.clusters) {
        problem("cluster chain leaves the volume or loops");
        break;
      }
      if (out.size() + size > budget_.expand_room()) {
        problem("disk image larger than the inspection's byte budget");
        stopped_ = true;
        break;
      }
      out += slice(v_, g_.data_at + std::uint64_t{c - 2} * size, std::min(size, max - static_cast<std::uint32_t>(out.size())));
    }
    budget_.spend_expanded(out.size());
    return out;
  }

  FileReport& r_;
  std::string_view v_;
  Geometry g_;
  std::string prefix_;
  int depth_;
  Budget& budget_;
  std::set<std::uint32_t> dirs_;
  bool stopped_ = false;
};

}  // namespace

bool fat_boot_sector(std::string_view s) {
  const std::uint16_t bps = le16(s, 11);
  const std::uint8_t spc = u8(s, 13);
  return s.size() >= 512 && le16(s, 510) == 0xAA55 && (u8(s, 0) == 0xEB || u8(s, 0) == 0xE9) &&
         (bps == 512 || bps == 1024 || bps == 2048 || bps == 4096) && spc != 0 && (spc & (spc - 1)) == 0 &&
         u8(s, 16) >= 1 && (s.substr(54, 3) == "FAT" || s.substr(82, 3) == "FAT");
}

void read_fat(FileReport& r, std::string_view volume, const std::string& prefix, int depth, Budget& budget) {
  const Geometry g = geometry(volume);
  if (g.clusters == 0) {
    mark_incomplete(r, "corrupt");
    r.problems.push_back("FAT volume with an impossible layout");
    return;
  }
  FatWalk(r, volume, g, prefix, depth, budget).run("", 0, 0);
}

}  // namespace preflight::inspect::detail
