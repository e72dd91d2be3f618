// RAR (v4 and v5): kind and encryption from the block headers, walked cheaply without extracting: v4 main
// header flag 0x0080 (encrypted headers) or file header flag 0x0004; v5 an archive encryption header
// (type 4) or a file header with an encryption extra record. Every size read from the file is checked
// against the bytes that remain before it moves the cursor, so a hostile size can only end the walk; the walk
// also stops at the time limit. gzip: the single member is inflated (bounded) and inspected as a child, so a
// .tar.gz or a gzipped script is still looked into.
#include <optional>

#include "internal.hpp"

namespace preflight::inspect::detail {

namespace {

constexpr int kMaxBlocks = 100000;
constexpr int kTimeCheckEvery = 1024;  // blocks between looks at the clock

// True (and marks the report) once the budget's time is up; looked at every kTimeCheckEvery blocks.
bool out_of_time(FileReport& r, int n, const Budget& budget) {
  if (n % kTimeCheckEvery != 0 || !budget.expired()) return false;
  mark_incomplete(r, "time", "time limit reached in RAR headers");
  return true;
}

void mark_rar(FileReport& r) {
  r.encrypted = true;
  r.encryption = "rar";
}

void rar4(FileReport& r, std::string_view b, const Budget& budget) {
  std::uint64_t at = 7;
  for (int n = 0; n < kMaxBlocks && at + 7 <= b.size(); ++n) {
    if (out_of_time(r, n, budget)) return;
    const std::uint8_t type = u8(b, at + 2);
    const std::uint16_t flags = le16(b, at + 3), size = le16(b, at + 5);
    if (size < 7) return;
    if ((type == 0x73 && (flags & 0x0080)) || (type == 0x74 && (flags & 0x0004))) return mark_rar(r);
    const std::uint64_t add = (flags & 0x8000) ? le32(b, at + 7) : 0;
    at += size + add;  // at most 7 + 2^16 + 2^32 more: no wrap, and always forward
  }
}

std::uint64_t vint(std::string_view b, std::uint64_t& at) {
  std::uint64_t v = 0;
  for (int shift = 0; shift < 64 && at < b.size(); shift += 7) {
    const std::uint8_t c = u8(b, at++);
    v |= std::uint64_t(c & 0x7F) << shift;
    if (!(c & 0x80)) return v;
  }
  return v;
}

// Extra area records of a v5 file header: size, type, data; type 1 is file encryption. nullopt when a record
// claims more bytes than the area has left (the record size is a 64-bit vint: adding it unchecked could wrap
// the cursor back to the start, for ever).
std::optional<bool> rar5_encrypted_extra(std::string_view extra) {
  for (std::uint64_t at = 0; at < extra.size();) {
    const std::uint64_t size = vint(extra, at), start = at;  // vint never moves past extra.size()
    if (size == 0 || size > extra.size() - start) return std::nullopt;
    if (vint(extra, at) == 1) return true;
    at = start + size;  // <= extra.size(), and past `at` before this record
  }
  return false;
}

void rar5(FileReport& r, std::string_view b, const Budget& budget) {
  std::uint64_t at = 8;
  for (int n = 0; n < kMaxBlocks && at + 5 < b.size(); ++n) {
    if (out_of_time(r, n, budget)) return;
    at += 4;  // header CRC32
    const std::uint64_t size = vint(b, at), body = at;
    if (size == 0 || size > b.size()) return;  // a header cut off by the end is still read as far as it goes
    const std::uint64_t type = vint(b, at), flags = vint(b, at);
    const std::uint64_t extra = (flags & 1) ? vint(b, at) : 0;
    const std::uint64_t data = (flags & 2) ? vint(b, at) : 0;
    if (type == 4) return mark_rar(r);
    if ((type == 2 || type == 3) && extra <= size) {
      const std::optional<bool> enc = rar5_encrypted_extra(slice(b, body + size - extra, extra));
      if (!enc) {
        r.problems.push_back("RAR: malformed extra area in a file header");
        return;
      }
      if (*enc) return mark_rar(r);
    }
    if (data > b.size()) return;
    at = body + size + data;  // each term <= b.size(): no wrap, and always forward (size > 0)
  }
}

}  // namespace

void inspect_rar(FileReport& r, std::string_view bytes, const Budget& budget) {
  if (bytes.substr(0, 8) == std::string_view("Rar!\x1A\x07\x01\x00", 8)) rar5(r, bytes, budget);
  else rar4(r, bytes, budget);
  if (!r.encrypted) mark_incomplete(r, "method", "RAR entries are not extracted");
}

void inspect_gzip(FileReport& r, std::string_view bytes, int depth, Budget& budget) {
  const std::uint8_t flags = u8(bytes, 3);
  std::uint64_t at = 10;
  if (flags & 0x04) at += 2 + std::uint64_t{le16(bytes, 10)};
  std::string inner;
  if ((flags & 0x08) && at < bytes.size()) {
    const std::size_t nul = bytes.find('\0', at);
    inner = std::string(bytes.substr(at, nul == std::string_view::npos ? 0 : nul - at));
  }
  if (inner.empty()) {
    const std::size_t slash = r.name.rfind('/');
    inner = r.name.substr(slash == std::string::npos ? 0 : slash + 1);
    if (ends_with_ci(inner, ".gz")) inner.resize(inner.size() - 3);
    else if (ends_with_ci(inner, ".tgz")) inner.replace(inner.size() - 4, 4, ".tar");
  }
  if (too_deep(r, depth, budget)) return;
  if (!budget.take_entry()) return mark_incomplete(r, "entries", "gzip member not inspected (max_entries)");
  Expanded x = inflate_bounded(bytes, 31, budget);
  FileReport c = inspect_child(r.name + "/" + inner, x.data, depth + 1, budget);
  if (x.bomb) mark_bomb(c, x.bomb_reason);
  if (x.timed_out) mark_incomplete(c, "time");
  if (x.error) mark_incomplete(c, "corrupt", "gzip data corrupt or cut off");
  adopt_child(r, std::move(c));
}

}  // namespace preflight::inspect::detail
