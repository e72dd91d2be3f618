// read_udf (disk_image.hpp): UDF images with type 1 partition maps (UDF 1.02-2.01, as mkisofs, ImgBurn
// and most bridge images write them). From the anchor at sector 256 to the main volume descriptor
// sequence (partition start, logical block size, file set descriptor), then the root directory's file
// entry, its file identifier descriptors and each file's allocation descriptors (short, long or inline).
// CS0 names (8- or 16-bit) are decoded. Each directory entry is read once, at most kMaxDirDepth deep;
// metadata partitions (UDF 2.50+) are recognised and reported as not read.
#include <set>
#include <vector>

#include "disk_image.hpp"
#include "preflight/util/charset.hpp"

namespace preflight::inspect::detail {

namespace {

constexpr std::size_t kSector = 2048;
constexpr int kMaxDirDepth = 32;
constexpr int kMaxDescriptors = 256;

struct Volume {
  std::uint64_t partition_start = 0;  // in sectors
  std::uint32_t block = kSector;
  std::uint32_t fsd_block = 0;
  bool found_partition = false, found_volume = false, metadata = false;
};

std::string cs0(std::string_view raw) {
  if (raw.empty()) return {};
  const std::string_view body = raw.substr(1);
  std::string name = u8(raw, 0) == 16 ? util::to_utf8(body.substr(0, body.size() & ~std::size_t{1}), "UTF-16BE")
                                      : util::to_utf8(body, "ISO-8859-1");
  for (char& c : name)
    if (c == '/' || c == '\0') c = '_';
  return name;
}

class UdfWalk {
 public:
  UdfWalk(FileReport& r, std::string_view img, const Volume& v, int depth, Budget& budget)
      : r_(r), img_(img), v_(v), depth_(depth), budget_(budget) {}

  void run() {
    const std::string_view fsd = block(v_.fsd_block);
    if (le16(fsd, 0) != 256) return problem("UDF file set descriptor not found");
    directory("", le32(fsd, 404), 0);
  }

 private:
  std::string_view block(std::uint64_t lbn, std::uint64_t count = 1) const {
    return slice(img_, (v_.partition_start * kSector) + lbn * v_.block, count * v_.block);
  }

  void problem(const std::string& p) {
    mark_incomplete(r_, "corrupt");
    r_.problems.push_back(p);
  }

  // The bytes of the file whose (extended) file entry is at `lbn`; `dir` tells whether it is a directory.
  std::string contents(std::uint32_t lbn, bool& dir) {
    const std::string_view fe = block(lbn);
    const std::uint16_t tag = le16(fe, 0);
    if (tag != 261 && tag != 266) {
      problem("UDF file entry missing");
      return {};
    }
    dir = u8(fe, 27) == 4;
    const std::uint64_t length = le64(fe, 56);
    const std::size_t ea = le32(fe, tag == 261 ? 168 : 208), ad_len = le32(fe, tag == 261 ? 172 : 212);
    const std::string_view ads = slice(fe, (tag == 261 ? 176 : 216) + std::uint64_t{ea}, ad_len);
    const int kind = le16(fe, 34) & 0x07;
    if (kind == 3) return std::string(ads.substr(0, static_cast<std::size_t>(std::min<std::uint64_t>(length, ads.size()))));
    if (length > budget_.expand_room()) {
      problem("UDF file larger than the inspection's byte budget");
      return {};
    }
    std::string out;
    const std::size_t step = kind == 0 ? 8 : 16;
    for (std::size_t at = 0; at + step <= ads.size() && out.size() < length && kind <= 1; at += step) {
      const std::uint32_t extent = le32(ads, at) & 0x3FFFFFFF, where = le32(ads, at + 4);
      if (extent == 0) break;
      out += slice(block(where, (extent + v_.block - 1) / v_.block), 0, std::min<std::uint64_t>(extent, length - out.size()));
    }
    if (out.size() < length) problem("UDF file shorter than its entry says");
    budget_.spend_expanded(out.size());
    return out;
  }

  void directory(const std::string& path, std::uint32_t lbn, int level) {
    if (stopped_) return;
    if (level > kMaxDirDepth) return problem("directories nested deeper than " + std::to_string(kMaxDirDepth));
    if (!seen_.insert(lbn).second) return problem("directory read twice (a loop)");
    bool dir = false;
    const std::string d = contents(lbn, dir);
    for (std::size_t at = 0; at + 38 <= d.size() && !stopped_;) {
      const std::string_view fid = std::string_view(d).substr(at);
      if (le16(fid, 0) != 257) break;
      const std::uint8_t flags = u8(fid, 18), name_len = u8(fid, 19);
      const std::uint16_t iu = le16(fid, 36);
      at += (38 + std::size_t{iu} + name_len + 3) & ~std::size_t{3};
      if (flags & 0x0C) continue;  // the parent, or deleted
      const std::string name = path + cs0(slice(fid, 38 + std::size_t{iu}, name_len));
      const std::uint32_t icb = le32(fid, 24);
      if (flags & 0x02) {
        directory(name + "/", icb, level + 1);
        continue;
      }
      bool is_dir = false;
      const std::string data = contents(icb, is_dir);
      stopped_ = !add_image_file(r_, r_.name + "/" + name, data, depth_, budget_);
    }
  }

  FileReport& r_;
  std::string_view img_;
  Volume v_;
  int depth_;
  Budget& budget_;
  std::set<std::uint32_t> seen_;
  bool stopped_ = false;
};

Volume volume(std::string_view img) {
  Volume v;
  const std::string_view anchor = slice(img, 256 * kSector, kSector);
  if (le16(anchor, 0) != 2) return v;
  const std::uint32_t length = le32(anchor, 16), start = le32(anchor, 20);
  for (std::uint32_t i = 0; i < length / kSector && i < kMaxDescriptors; ++i) {
    const std::string_view d = slice(img, (std::uint64_t{start} + i) * kSector, kSector);
    const std::uint16_t tag = le16(d, 0);
    if (tag == 8) break;
    if (tag == 5 && !v.found_partition) {
      v.partition_start = le32(d, 188);
      v.found_partition = true;
    }
    if (tag == 6 && !v.found_volume) {
      v.block = le32(d, 212);
      v.fsd_block = le32(d, 252);
      v.found_volume = true;
      const std::uint32_t maps = le32(d, 268);
      for (std::size_t at = 440, k = 0; k < maps && at + 2 <= d.size(); ++k, at += std::max<std::uint8_t>(u8(d, at + 1), 2))
        v.metadata = v.metadata || u8(d, at) == 2;
    }
  }
  if (v.block < 512 || v.block > 65536) v.found_volume = false;
  return v;
}

}  // namespace

void read_udf(FileReport& r, std::string_view img, int depth, Budget& budget) {
  const Volume v = volume(img);
  if (!v.found_partition || !v.found_volume) {
    mark_incomplete(r, "corrupt");
    r.problems.push_back("UDF image without a readable volume descriptor sequence");
    return;
  }
  if (v.metadata) {
    mark_incomplete(r, "method");
    r.problems.push_back("UDF metadata partition (UDF 2.50 or later) not read");
    return;
  }
  UdfWalk(r, img, v, depth, budget).run();
}

}  // namespace preflight::inspect::detail
