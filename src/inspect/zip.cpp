// ZIP archives: central-directory parsing (with ZIP64 and a local-header fallback for damaged archives),
// encryption detection (ZipCrypto bit 0, WinZip AES method 99 / field 0x9901, strong encryption bits 6
// and 13), entry-name decoding, bounded extraction, and the recursion into entries. See zip.hpp.
#include "zip.hpp"

#include <zlib.h>

#include "preflight/util/charset.hpp"
#include "preflight/util/strings.hpp"

namespace preflight::inspect::detail {

namespace {

constexpr std::uint32_t kLocalSig = 0x04034b50, kCentralSig = 0x02014b50, kEndSig = 0x06054b50;
constexpr std::uint32_t kZip64EndSig = 0x06064b50, kZip64LocatorSig = 0x07064b50;

// The data of extra field `id` inside an extra block, or empty.
std::string_view extra_field(std::string_view extra, std::uint16_t id) {
  for (std::size_t at = 0; at + 4 <= extra.size();) {
    const std::uint16_t fid = le16(extra, at), len = le16(extra, at + 2);
    if (fid == id) return slice(extra, at + 4, len);
    at += 4 + std::size_t{len};
  }
  return {};
}

// ZIP64 extended information: 64-bit values follow only for the fields whose 32-bit value is all ones.
void apply_zip64(ZipEntry& e, std::string_view extra, bool has_offset) {
  const std::string_view z = extra_field(extra, 0x0001);
  std::size_t at = 0;
  auto take = [&](std::uint64_t& v) {
    if (v != 0xFFFFFFFFu) return;
    if (at + 8 <= z.size()) v = le64(z, at);
    at += 8;
  };
  take(e.usize);
  take(e.csize);
  if (has_offset) take(e.local_offset);
}

void classify_encryption(ZipEntry& e, std::string_view extra) {
  const std::string_view aes = extra_field(extra, 0x9901);
  if (e.method == 99 || !aes.empty()) {
    e.encryption = "zip-aes";
    if (aes.size() >= 7) e.method = le16(aes, 5);  // the real compression method
  } else if (e.flags & 0x0040) {
    e.encryption = "zip-strong";
  } else if (e.flags & 0x0001) {
    e.encryption = "zipcrypto";
  }
}

struct Directory {
  std::uint64_t offset = 0, size = 0, count = 0;
  std::uint64_t shift = 0;  // added (mod 2^64) to every local header offset: the bytes in front of the archive
};

// The central directory an end record at `end` describes. Offsets in the records count from the start of
// the archive, which is not the start of the buffer when data was put in front (a self-extractor stub, a
// few stray bytes): the directory is then found by its size, back from the end record, and the distance
// becomes the shift of every entry. The ZIP64 end record, whose locator's offset is then off as well, is
// looked for where it normally sits, right before its locator.
Directory directory_of(std::string_view b, std::size_t end) {
  Directory d{le32(b, end + 16), le32(b, end + 12), le16(b, end + 10)};
  std::uint64_t record = end;  // where the central directory ends
  if (end >= 20 && le32(b, end - 20) == kZip64LocatorSig) {
    std::uint64_t z = le64(b, end - 20 + 8);
    if (le32(b, z) != kZip64EndSig && end >= 20 + 56) z = end - 20 - 56;
    if (z + 56 <= b.size() && le32(b, z) == kZip64EndSig) {
      d = {le64(b, z + 48), le64(b, z + 40), le64(b, z + 32)};
      record = z;
    }
  }
  if (le32(b, d.offset) != kCentralSig && record >= d.size && le32(b, record - d.size) == kCentralSig) {
    d.shift = (record - d.size) - d.offset;
    d.offset = record - d.size;
  }
  return d;
}

bool directory_found(std::string_view b, const Directory& d) {
  return le32(b, d.offset) == kCentralSig || (d.count == 0 && d.size == 0);
}

// Locates the end-of-central-directory record within the comment-sized tail: the last one whose central
// directory is really there, else the last signature at all (a damaged archive, read from local headers).
std::size_t find_end(std::string_view b) {
  if (b.size() < 22) return std::string_view::npos;
  const std::size_t lowest = b.size() > 22 + 65535 ? b.size() - 22 - 65535 : 0;
  std::size_t last = std::string_view::npos;
  const std::string_view sig("PK\x05\x06", 4);
  for (std::size_t at = b.rfind(sig, b.size() - 22); at != std::string_view::npos && at >= lowest;
       at = at == 0 ? std::string_view::npos : b.rfind(sig, at - 1)) {
    if (last == std::string_view::npos) last = at;
    if (directory_found(b, directory_of(b, at))) return at;
  }
  return last;
}

bool parse_central(std::string_view b, std::size_t end, ZipArchive& zip, const Budget& budget) {
  const Directory d = directory_of(b, end);
  std::uint64_t at = d.offset;
  while (at + 46 <= b.size() && le32(b, at) == kCentralSig) {
    if (zip.entries.size() >= budget.limits().max_entries) {
      zip.entries_cut = true;
      break;
    }
    ZipEntry e;
    e.flags = le16(b, at + 8);
    e.method = le16(b, at + 10);
    e.csize = le32(b, at + 20);
    e.usize = le32(b, at + 24);
    e.local_offset = le32(b, at + 42);
    const std::uint16_t nlen = le16(b, at + 28), xlen = le16(b, at + 30), clen = le16(b, at + 32);
    const std::string_view raw = slice(b, at + 46, nlen), extra = slice(b, at + 46 + nlen, xlen);
    apply_zip64(e, extra, true);
    e.local_offset += d.shift;
    classify_encryption(e, extra);
    e.name = zip_entry_name(raw, e.flags & 0x0800, extra_field(extra, 0x7075));
    zip.directory_encrypted = zip.directory_encrypted || (e.flags & 0x2000);
    zip.entries.push_back(std::move(e));
    at += 46 + std::uint64_t{nlen} + xlen + clen;
  }
  if (zip.entries.size() < d.count && !zip.entries_cut) {
    zip.damaged = true;
    zip.problems.push_back("central directory shorter than announced");
  }
  return !zip.entries.empty() || d.count == 0;
}

// Damaged or cut archives: walk the local headers from the start while their sizes can be followed.
void parse_local(std::string_view b, ZipArchive& zip, const Budget& budget) {
  zip.from_local_headers = true;
  std::uint64_t at = 0;
  while (at + 30 <= b.size() && le32(b, at) == kLocalSig && !zip.entries_cut) {
    if (zip.entries.size() >= budget.limits().max_entries) zip.entries_cut = true;
    ZipEntry e;
    e.flags = le16(b, at + 6);
    e.method = le16(b, at + 8);
    e.csize = le32(b, at + 18);
    e.usize = le32(b, at + 22);
    e.local_offset = at;
    const std::uint16_t nlen = le16(b, at + 26), xlen = le16(b, at + 28);
    const std::string_view extra = slice(b, at + 30 + nlen, xlen);
    apply_zip64(e, extra, false);
    classify_encryption(e, extra);
    e.name = zip_entry_name(slice(b, at + 30, nlen), e.flags & 0x0800, extra_field(extra, 0x7075));
    const bool sized = !(e.flags & 0x0008) || e.csize != 0;
    at += 30 + std::uint64_t{nlen} + xlen + e.csize;
    if (!zip.entries_cut) zip.entries.push_back(std::move(e));
    if (!sized) break;  // sizes only in a trailing data descriptor: the next header cannot be found cheaply
  }
}

std::string_view entry_data(std::string_view b, const ZipEntry& e, std::string& problem) {
  const std::uint64_t at = e.local_offset;
  if (at + 30 > b.size() || le32(b, at) != kLocalSig) {
    problem = "local header missing";
    return {};
  }
  const std::uint64_t start = at + 30 + le16(b, at + 26) + le16(b, at + 28);
  std::uint64_t size = e.csize;
  if (size == 0 && (e.flags & 0x0008)) size = b.size();  // unknown: inflate stops at the stream's end
  if (start + size > b.size()) problem = "entry data cut off";
  return slice(b, start, size);
}

}  // namespace

bool read_zip(std::string_view bytes, ZipArchive& zip, const Budget& budget) {
  const std::size_t end = find_end(bytes);
  if (end != std::string_view::npos && parse_central(bytes, end, zip, budget)) return true;
  zip.entries.clear();
  zip.entries_cut = false;
  parse_local(bytes, zip, budget);
  zip.damaged = true;
  if (!zip.entries.empty()) zip.problems.push_back("no usable central directory; read local headers");
  return !zip.entries.empty();
}

EntryData read_entry(std::string_view bytes, const ZipEntry& e, Budget& budget, std::size_t want, bool drain) {
  EntryData out;
  if (!e.encryption.empty()) {
    out.problem = "entry is encrypted";
    return out;
  }
  const std::string_view data = entry_data(bytes, e, out.problem);
  if (!out.problem.empty() && data.empty()) {
    out.reason = "corrupt";
    return out;
  }
  if (e.method == 0) {
    // Already in memory: a view costs no copy, but what is handed on counts against max_expanded like
    // inflated bytes, or many entries over the same stored bytes would each be inspected in full.
    out.is_stored = true;
    std::size_t keep = std::min(data.size(), want);
    if (keep > budget.expand_room()) {
      keep = budget.expand_room();
      out.bomb = true;
    }
    out.stored = data.substr(0, keep);
    budget.spend_expanded(keep);
    out.partial = out.stored.size() < data.size();
    out.ok = out.problem.empty() && !out.bomb;
    if (out.bomb) out.reason = "bytes";
  } else if (e.method == 8) {
    Expanded x = inflate_bounded(data, -15, budget, want, drain);
    out.inflated = std::move(x.data);
    out.partial = out.inflated.size() < x.produced || (!x.complete && out.inflated.size() >= want);
    out.bomb = x.bomb;
    out.timed_out = x.timed_out;
    out.ok = !x.bomb && !x.timed_out && !x.error;
    out.reason = x.bomb_reason;
    if (x.error && out.problem.empty()) out.problem = "corrupt deflate data";
  } else {
    out.problem = "unsupported compression method " + std::to_string(e.method);
    out.reason = "method";
  }
  if (out.bomb) out.problem = "expansion limit reached (possible zip bomb)";
  if (out.timed_out) out.problem = "time limit reached while extracting", out.reason = "time";
  if (!out.ok && !out.reason) out.reason = "corrupt";
  return out;
}

void adopt_entry_data(FileReport& report, const EntryData& d) {
  if (d.bomb) mark_bomb(report, d.reason);
  else if (!d.ok && d.reason) mark_incomplete(report, d.reason);
  if (!d.problem.empty()) report.problems.push_back(d.problem);
}

bool zip_end_record(std::string_view bytes) {
  const std::size_t end = find_end(bytes);
  if (end == std::string_view::npos) return false;
  const Directory d = directory_of(bytes, end);
  return d.count > 0 && le32(bytes, d.offset) == kCentralSig;
}

const ZipEntry* find_entry(const ZipArchive& zip, std::string_view path) {
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  for (const ZipEntry& e : zip.entries) {
    std::string_view n = e.name;
    if (!n.empty() && n.front() == '/') n.remove_prefix(1);
    if (util::iequals(n, path)) return &e;
  }
  return nullptr;
}

namespace {

// Strongest first, so a mixed archive reports the scheme that matters most.
int encryption_rank(std::string_view e) { return e == "zip-strong" ? 3 : e == "zip-aes" ? 2 : e == "zipcrypto" ? 1 : 0; }

FileReport encrypted_child(const FileReport& parent, const ZipEntry& e) {
  FileReport c;
  c.name = parent.name + "/" + e.name;
  // Content is unreadable; a script's extension is the one hint worth keeping (scripts are text).
  c.kind = sniff_kind(e.name, {}) == "script" ? "script" : "unknown";
  c.executable = executable_kind(c.kind);
  c.encrypted = true;
  c.encryption = e.encryption;
  return c;
}

constexpr std::size_t kSniffBytes = 64 * 1024;

bool container_kind(std::string_view k) {
  return k == "zip" || k == "cfb" || k == "pdf" || k == "7z" || k == "rar" || k == "gzip";
}

// Containers are read whole; text only up to max_text; anything else only as far as sniffing needs. The
// rest of a partial read is still decompressed (not kept), so a bomb named like a picture is still a bomb.
FileReport extracted_child(const FileReport& parent, std::string_view bytes, const ZipEntry& e, int depth,
                           Budget& budget) {
  std::string ignored;  // a stored entry is sniffed in place, so its head is not counted twice
  const std::string kind = e.method == 0 ? sniff_kind(e.name, entry_data(bytes, e, ignored).substr(0, kSniffBytes))
                                         : sniff_kind(e.name, read_entry(bytes, e, budget, kSniffBytes).bytes());
  const bool text = kind == "text" || kind == "csv" || kind == "script";
  const std::size_t want = container_kind(kind) ? SIZE_MAX : text ? budget.limits().max_text + 4 : kSniffBytes;
  EntryData d = read_entry(bytes, e, budget, want, true);
  FileReport c = inspect_child(parent.name + "/" + e.name, d.bytes(), depth + 1, budget);
  adopt_entry_data(c, d);
  if (text && d.partial && !d.bomb) mark_incomplete(c, "text");
  return c;
}

void inspect_entries(FileReport& r, std::string_view bytes, const ZipArchive& zip, int depth, Budget& budget) {
  for (const ZipEntry& e : zip.entries) {
    if (e.is_dir()) continue;
    if (budget.expired()) return mark_incomplete(r, "time", "time limit reached");
    if (!budget.take_entry()) return mark_incomplete(r, "entries", "max_entries reached");
    adopt_child(r, e.encryption.empty() ? extracted_child(r, bytes, e, depth, budget) : encrypted_child(r, e));
  }
}

}  // namespace

void inspect_zip(FileReport& r, std::string_view bytes, int depth, Budget& budget) {
  ZipArchive zip;
  if (!read_zip(bytes, zip, budget)) return mark_incomplete(r, "corrupt", "no readable ZIP directory");
  r.problems.insert(r.problems.end(), zip.problems.begin(), zip.problems.end());
  if (zip.damaged) mark_incomplete(r, "corrupt");
  if (zip.entries_cut) mark_incomplete(r, "entries", "more entries than max_entries");
  for (const ZipEntry& e : zip.entries)
    if (encryption_rank(e.encryption) > encryption_rank(r.encryption)) r.encryption = e.encryption;
  if (zip.directory_encrypted) r.encryption = "zip-strong";
  r.encrypted = !r.encryption.empty();
  // A package is judged by its structure (inspect_ooxml); a zip that merely holds an entry of that name
  // is an ordinary zip, whose entries are all seen.
  if (!zip.directory_encrypted && find_entry(zip, "[Content_Types].xml") && inspect_ooxml(r, bytes, zip, depth, budget))
    return;
  if (!too_deep(r, depth, budget)) inspect_entries(r, bytes, zip, depth, budget);
}

}  // namespace preflight::inspect::detail

namespace preflight::inspect {

std::string zip_entry_name(std::string_view raw, bool utf8_flag, std::string_view unicode_extra_field) {
  if (utf8_flag) return util::to_utf8(raw, "UTF-8");
  // Info-ZIP Unicode Path: version 1, CRC-32 of the raw name, then the UTF-8 name.
  if (unicode_extra_field.size() >= 5 && detail::u8(unicode_extra_field, 0) == 1) {
    const auto crc = crc32(0, reinterpret_cast<const Bytef*>(raw.data()), static_cast<uInt>(raw.size()));
    const std::string_view name = unicode_extra_field.substr(5);
    if (detail::le32(unicode_extra_field, 1) == crc && util::is_utf8(name)) return std::string(name);
  }
  if (util::is_utf8(raw)) return std::string(raw);
  std::string cp932 = util::to_utf8(raw, "CP932");
  if (cp932.find("\xEF\xBF\xBD") == std::string::npos) return cp932;
  return util::to_utf8(raw, "CP437");
}

}  // namespace preflight::inspect
