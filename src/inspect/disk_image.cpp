// Disk images (disk_image.hpp): recognising them and the media kinds, VHD unwrapping, MBR partitions, and
// the shared step that turns a file found in an image into a child report.
#include "disk_image.hpp"

#include <array>
#include <cstdio>
#include <vector>

namespace preflight::inspect::detail {

namespace {

constexpr std::size_t kSector = 512;

bool at(std::string_view b, std::size_t pos, std::string_view magic) { return b.substr(std::min(pos, b.size()), magic.size()) == magic; }

std::uint32_t be32(std::string_view s, std::size_t pos) {
  return (static_cast<std::uint32_t>(u8(s, pos)) << 24) | (u8(s, pos + 1) << 16) | (u8(s, pos + 2) << 8) | u8(s, pos + 3);
}
std::uint64_t be64(std::string_view s, std::size_t pos) { return (std::uint64_t{be32(s, pos)} << 32) | be32(s, pos + 4); }

struct Partition {
  std::uint8_t type = 0;
  std::uint64_t first = 0, count = 0;  // in sectors
};

// The used entries of a classic MBR partition table; empty if the sector is no MBR.
std::vector<Partition> mbr_partitions(std::string_view b) {
  std::vector<Partition> parts;
  if (b.size() < kSector || le16(b, 510) != 0xAA55) return parts;
  for (std::size_t i = 0; i < 4; ++i) {
    const std::size_t e = 446 + 16 * i;
    const std::uint8_t status = u8(b, e), type = u8(b, e + 4);
    if (status != 0 && status != 0x80) return {};
    if (type == 0) continue;
    parts.push_back({type, le32(b, e + 8), le32(b, e + 12)});
  }
  return parts;
}

bool fat_type(std::uint8_t t) { return t == 0x01 || t == 0x04 || t == 0x06 || t == 0x0B || t == 0x0C || t == 0x0E; }

void read_raw_disk(FileReport& r, std::string_view disk, int depth, Budget& budget) {
  if (fat_boot_sector(disk)) return read_fat(r, disk, r.name + "/", depth, budget);
  if (at(disk, 0x8001, "CD001")) return read_iso9660(r, disk, depth, budget);
  const std::vector<Partition> parts = mbr_partitions(disk);
  if (parts.empty()) {
    mark_incomplete(r, "corrupt");
    r.problems.push_back("disk image without a readable file system or partition table");
  }
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const Partition& p = parts[i];
    const std::string_view volume = slice(disk, p.first * kSector, p.count * kSector);
    const std::string prefix = r.name + "/" + (parts.size() > 1 ? "partition" + std::to_string(i + 1) + "/" : "");
    if (fat_type(p.type) && fat_boot_sector(volume)) {
      read_fat(r, volume, prefix, depth, budget);
      continue;
    }
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", p.type);
    mark_incomplete(r, "method");
    r.problems.push_back(std::string("partition ") + std::to_string(i + 1) + " of type " + hex +
                         (p.type == 0xEE ? " (GPT)" : p.type == 0x07 ? " (NTFS or exFAT)" : "") + " not read");
  }
}

// A dynamic VHD: its allocated blocks laid out as the virtual disk, up to the highest allocated block and
// within the budget's decompressed bytes.
std::string dynamic_vhd(FileReport& r, std::string_view b, Budget& budget) {
  const std::string_view header = slice(b, be64(b, 16), 1024);
  if (!at(header, 0, "cxsparse")) {
    r.problems.push_back("dynamic VHD without its header");
    return {};
  }
  const std::uint64_t table = be64(header, 16);
  const std::uint32_t entries = be32(header, 28), block = be32(header, 32);
  if (block < kSector || block > (256u << 20) || block % kSector != 0) {
    r.problems.push_back("dynamic VHD with an invalid block size");
    return {};
  }
  const std::uint64_t bitmap = ((block / kSector / 8) + kSector - 1) / kSector * kSector;
  std::uint32_t last = 0;
  bool any = false;
  for (std::uint32_t i = 0; i < entries && table + 4ull * i + 4 <= b.size(); ++i)
    if (be32(b, table + 4ull * i) != 0xFFFFFFFF) last = i, any = true;
  const std::uint64_t size = any ? (std::uint64_t{last} + 1) * block : 0;
  if (size > budget.expand_room()) {
    mark_incomplete(r, "bytes");
    r.problems.push_back("dynamic VHD larger than the inspection's byte budget: not read");
    return {};
  }
  std::string disk(static_cast<std::size_t>(size), '\0');
  budget.spend_expanded(disk.size());
  for (std::uint32_t i = 0; any && i <= last; ++i) {
    const std::uint32_t sector = be32(b, table + 4ull * i);
    if (sector == 0xFFFFFFFF) continue;
    const std::string_view data = slice(b, std::uint64_t{sector} * kSector + bitmap, block);
    disk.replace(std::size_t{i} * block, data.size(), data);
  }
  return disk;
}

void read_vhd(FileReport& r, std::string_view b, int depth, Budget& budget) {
  const bool footer_at_end = b.size() >= kSector && at(b, b.size() - kSector, "conectix");
  const std::string_view footer = footer_at_end ? b.substr(b.size() - kSector) : b.substr(0, kSector);
  const std::uint32_t type = be32(footer, 60);
  if (type == 2) return read_raw_disk(r, b.substr(0, b.size() - (footer_at_end ? kSector : 0)), depth, budget);
  if (type == 3) {
    const std::string disk = dynamic_vhd(r, b, budget);
    if (!disk.empty()) read_raw_disk(r, disk, depth, budget);
    return;
  }
  mark_incomplete(r, "method");
  r.problems.push_back(type == 4 ? "differencing VHD (needs its parent) not read" : "VHD of an unknown disk type not read");
}

}  // namespace

std::string disk_image_kind(std::string_view b) {
  if (at(b, 0, "vhdxfile")) return "vhdx";
  if (at(b, 0, "conectix") || (b.size() >= kSector && at(b, b.size() - kSector, "conectix"))) return "vhd";
  if (at(b, 0x8001, "CD001")) return "iso";
  for (std::size_t s = 16; s < 32; ++s)
    if (at(b, s * 2048 + 1, "NSR02") || at(b, s * 2048 + 1, "NSR03")) return "udf";
  if (fat_boot_sector(b) || !mbr_partitions(b).empty()) return "img";
  return {};
}

std::string media_kind(std::string_view b) {
  using namespace std::string_view_literals;
  static const std::array<std::pair<std::string_view, std::string_view>, 11> kMagic = {{
      {"\x89PNG\r\n\x1A\n"sv, "png"}, {"\xFF\xD8\xFF"sv, "jpeg"}, {"GIF87a"sv, "gif"}, {"GIF89a"sv, "gif"},
      {"II*\0"sv, "tiff"}, {"MM\0*"sv, "tiff"}, {"OggS"sv, "ogg"}, {"fLaC"sv, "flac"},
      {"\x1A\x45\xDF\xA3"sv, "mkv"}, {"\xFF\xFB"sv, "mp3"}, {"\xFF\xF3"sv, "mp3"}}};
  for (const auto& [magic, kind] : kMagic)
    if (at(b, 0, magic)) return std::string(kind);
  if (at(b, 0, "ID3") && u8(b, 3) >= 2 && u8(b, 3) <= 4 && u8(b, 4) == 0) return "mp3";
  if (at(b, 0, "BM") && le32(b, 2) == b.size()) return "bmp";
  if (at(b, 0, "RIFF") && at(b, 8, "WEBP")) return "webp";
  if (at(b, 0, "RIFF") && at(b, 8, "WAVE")) return "wav";
  if (at(b, 0, "RIFF") && at(b, 8, "AVI ")) return "avi";
  if (at(b, 4, "ftyp")) return at(b, 8, "heic") || at(b, 8, "heix") || at(b, 8, "mif1") ? "heic" : "mp4";
  return {};
}

bool add_image_file(FileReport& r, const std::string& name, std::string_view data, int depth, Budget& budget) {
  if (budget.expired()) {
    mark_incomplete(r, "time");
    r.problems.push_back("time limit reached");
    return false;
  }
  if (!budget.take_entry()) {
    mark_incomplete(r, "entries");
    r.problems.push_back("max_entries reached");
    return false;
  }
  adopt_child(r, inspect_child(name, data, depth + 1, budget));
  return true;
}

void inspect_disk_image(FileReport& r, std::string_view bytes, int depth, Budget& budget) {
  if (too_deep(r, depth, budget)) return;
  if (r.kind == "iso") return read_iso9660(r, bytes, depth, budget);
  if (r.kind == "vhd") return read_vhd(r, bytes, depth, budget);
  if (r.kind == "img") return read_raw_disk(r, bytes, depth, budget);
  if (r.kind == "udf") return read_udf(r, bytes, depth, budget);
  mark_incomplete(r, "method");
  r.problems.push_back("VHDX disk image not read");
}

}  // namespace preflight::inspect::detail
