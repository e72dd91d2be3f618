// Compound File Binary reader (see cfb.hpp). Sector numbers, chain links, sizes and tree links all come from
// the file and are treated as hostile: every one is range-checked, chains stop after as many steps as the
// table has entries, and the directory tree is walked iteratively with a visited set.
#include "cfb.hpp"

#include <utility>

#include "internal.hpp"
#include "preflight/util/charset.hpp"
#include "preflight/util/strings.hpp"

namespace preflight::inspect::detail {

namespace {
constexpr std::uint32_t kEndOfChain = 0xFFFFFFFE;
constexpr std::size_t kMaxDirectoryEntries = 65536;
}  // namespace

std::string_view Cfb::sector(std::uint32_t n) const {
  return slice(bytes_, (std::uint64_t{n} + 1) * sector_size_, sector_size_);
}

std::string Cfb::chain_read(const std::vector<std::uint32_t>& fat, std::uint32_t start, std::size_t unit,
                            std::size_t max, bool mini) const {
  std::string out;
  std::uint32_t n = start;
  for (std::size_t steps = 0; n < fat.size() && steps <= fat.size() && out.size() < max; ++steps) {
    const std::string_view data = mini ? slice(mini_stream_, std::uint64_t{n} * unit, unit) : sector(n);
    if (data.empty()) break;
    out.append(data.substr(0, std::min(data.size(), max - out.size())));
    n = fat[n];
  }
  return out;
}

bool Cfb::load_fat(std::string& problem) {
  const std::size_t sectors = bytes_.size() / sector_size_;  // upper bound on any sector number worth reading
  std::vector<std::uint32_t> fat_sectors;
  for (std::size_t i = 0; i < 109; ++i) fat_sectors.push_back(le32(bytes_, 0x4C + i * 4));
  std::uint32_t difat = le32(bytes_, 0x44);
  for (std::size_t steps = 0; difat < sectors && steps < sectors; ++steps) {
    const std::string_view s = sector(difat);
    for (std::size_t at = 0; at + 4 < s.size(); at += 4) fat_sectors.push_back(le32(s, at));
    difat = le32(s, s.size() - 4);
  }
  const std::uint32_t count = le32(bytes_, 0x2C);
  for (std::size_t i = 0; i < fat_sectors.size() && i < count && i < sectors; ++i) {
    if (fat_sectors[i] >= sectors) continue;
    const std::string_view s = sector(fat_sectors[i]);
    for (std::size_t at = 0; at + 4 <= s.size(); at += 4) fat_.push_back(le32(s, at));
  }
  if (fat_.size() > sectors) fat_.resize(sectors);  // entries past the file's end can only mislead
  if (fat_.empty()) problem = "compound file has no allocation table";
  return !fat_.empty();
}

void Cfb::load_directory() {
  const std::string dir = chain_read(fat_, le32(bytes_, 0x30), sector_size_, kMaxDirectoryEntries * 128, false);
  const std::size_t n = dir.size() / 128;
  auto name_of = [&](std::size_t i) {
    const std::size_t len = std::min<std::size_t>(le16(dir, i * 128 + 0x40), 64);
    const std::string_view utf16 = std::string_view(dir).substr(i * 128, len >= 2 ? len - 2 : 0);
    return util::to_utf8(utf16, "UTF-16LE");
  };
  if (n == 0) return;
  // Iterative walk. A pending entry refers to its parent storage by index into entries_ (siblings share it),
  // so the stack holds no copies of paths; each recorded entry holds its own path, which the depth limit
  // keeps short and kMaxPathBytes keeps from adding up.
  struct Pending {
    std::uint32_t index;
    std::size_t parent;  // index into entries_ of the storage, or npos for the root
    int depth;           // 1 for the root's children
  };
  constexpr std::size_t kRoot = static_cast<std::size_t>(-1);
  std::vector<bool> seen(n, false);
  std::vector<Pending> stack{{le32(dir, 0x4C), kRoot, 1}};
  seen[0] = true;
  std::size_t path_bytes = 0;
  while (!stack.empty()) {
    const Pending p = stack.back();
    stack.pop_back();
    if (p.index >= n || seen[p.index]) continue;
    seen[p.index] = true;
    if (p.depth > kMaxStorageDepth) {  // not recorded, and its links (siblings as deep, children deeper) not followed
      directory_cut_ = true;
      continue;
    }
    const std::size_t at = std::size_t{p.index} * 128;
    std::string path = p.parent == kRoot ? name_of(p.index) : entries_[p.parent].path + "/" + name_of(p.index);
    path_bytes += path.size();
    if (path_bytes > kMaxPathBytes) {
      directory_cut_ = true;
      break;
    }
    CfbEntry e{std::move(path), u8(dir, at + 0x42), le32(dir, at + 0x74), le64(dir, at + 0x78)};
    if (sector_size_ == 512) e.size &= 0xFFFFFFFFu;  // version 3 files may leave junk in the high half
    stack.push_back({le32(dir, at + 0x44), p.parent, p.depth});
    stack.push_back({le32(dir, at + 0x48), p.parent, p.depth});
    if (e.type == 1) stack.push_back({le32(dir, at + 0x4C), entries_.size(), p.depth + 1});
    entries_.push_back(std::move(e));
  }
  // The root entry holds the mini stream, from which small streams are read.
  const std::uint64_t root_size = std::min<std::uint64_t>(le64(dir, 0x78) & 0xFFFFFFFFu, bytes_.size());
  mini_stream_ = chain_read(fat_, le32(dir, 0x74), sector_size_, root_size, false);
}

bool Cfb::open(std::string_view bytes, std::string& problem) {
  bytes_ = bytes;
  if (bytes.size() < 512 || bytes.substr(0, 8) != "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
    problem = "not a compound file";
    return false;
  }
  const std::uint16_t shift = le16(bytes, 0x1E);
  if (shift != 9 && shift != 12) {
    problem = "compound file with an invalid sector size";
    return false;
  }
  sector_size_ = std::size_t{1} << shift;
  mini_size_ = std::size_t{1} << std::min<std::uint16_t>(le16(bytes, 0x20), 12);
  mini_cutoff_ = le32(bytes, 0x38);
  if (!load_fat(problem)) return false;
  load_directory();
  const std::size_t max_mini = mini_stream_.size() / std::max<std::size_t>(mini_size_, 1) + 1;
  const std::string mini_fat = chain_read(fat_, le32(bytes, 0x3C), sector_size_, max_mini * 4, false);
  for (std::size_t at = 0; at + 4 <= mini_fat.size(); at += 4) mini_fat_.push_back(le32(mini_fat, at));
  if (entries_.empty()) problem = "compound file directory is empty or unreadable";
  return !entries_.empty();
}

const CfbEntry* Cfb::find(std::string_view path) const {
  for (const CfbEntry& e : entries_)
    if (util::iequals(e.path, path)) return &e;
  return nullptr;
}

bool Cfb::has_name(std::string_view name) const {
  for (const CfbEntry& e : entries_) {
    const std::size_t slash = e.path.rfind('/');
    if (util::iequals(slash == std::string::npos ? e.path : e.path.substr(slash + 1), name)) return true;
  }
  return false;
}

std::string Cfb::read(const CfbEntry& e, std::size_t max) const {
  const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>({e.size, max, bytes_.size()}));
  if (e.type == 2 && e.size < mini_cutoff_) return chain_read(mini_fat_, e.start, mini_size_, want, true);
  return chain_read(fat_, e.start, sector_size_, want, false);
}

}  // namespace preflight::inspect::detail
