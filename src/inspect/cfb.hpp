// A minimal reader for Compound File Binary (OLE2) containers: the FAT and mini FAT, the directory tree as
// flat paths ("Macros/VBA/dir"), and bounded stream reads. Chains are followed with loop and range checks,
// so a hostile file can waste at most a few passes over its own size. The tree is read to a fixed storage
// depth and total path size: a chain of nested storages must not cost memory quadratic in its length.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace preflight::inspect::detail {

struct CfbEntry {
  std::string path;   // UTF-8 path from the root, '/'-separated, without the root's own name
  int type = 0;       // 1 storage, 2 stream, 5 root
  std::uint32_t start = 0;
  std::uint64_t size = 0;
};

class Cfb {
 public:
  // Parses the header, FAT and directory; false (with a reason) if the container is unusable.
  bool open(std::string_view bytes, std::string& problem);
  const std::vector<CfbEntry>& entries() const { return entries_; }
  // The entry with this path (ASCII-case-insensitive, as CFB names are), or nullptr.
  const CfbEntry* find(std::string_view path) const;
  // True if a storage or stream with this name exists anywhere in the tree.
  bool has_name(std::string_view name) const;
  // Up to `max` bytes of a stream; fewer if the chain ends early or is corrupt.
  std::string read(const CfbEntry& entry, std::size_t max) const;
  // True if entries were left out: nested deeper than kMaxStorageDepth, or past kMaxPathBytes of paths.
  bool directory_cut() const { return directory_cut_; }

  static constexpr int kMaxStorageDepth = 32;                        // real files nest a few levels
  static constexpr std::size_t kMaxPathBytes = 16 * 1024 * 1024;  // all entry paths together

 private:
  std::string chain_read(const std::vector<std::uint32_t>& fat, std::uint32_t start, std::size_t unit,
                         std::size_t max, bool mini) const;
  std::string_view sector(std::uint32_t n) const;
  bool load_fat(std::string& problem);
  void load_directory();

  std::string_view bytes_;
  std::size_t sector_size_ = 512;
  std::size_t mini_size_ = 64;
  std::uint32_t mini_cutoff_ = 4096;
  std::vector<std::uint32_t> fat_, mini_fat_;
  std::string mini_stream_;
  std::vector<CfbEntry> entries_;
  bool directory_cut_ = false;
};

}  // namespace preflight::inspect::detail
