// Internals shared by the inspect module's format readers: the budget that bounds one inspect() call
// (time, entries, decompressed bytes), bounds-checked little-endian reads, bounded decompression, and the
// per-format entry points that inspect.cpp dispatches to. Nothing here is part of the public contract.
#pragma once
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "preflight/inspect/inspect.hpp"

namespace preflight::inspect::detail {

// The limits of one inspect() call, shared by every report in its tree so that nesting cannot multiply them.
class Budget {
 public:
  explicit Budget(const Limits& limits);
  const Limits& limits() const { return limits_; }
  bool expired() const;
  // Counts one archive entry; false once max_entries have been looked at.
  bool take_entry();
  // Decompressed bytes that may still be produced, over the whole tree.
  std::size_t expand_room() const { return expanded_ < limits_.max_expanded ? limits_.max_expanded - expanded_ : 0; }
  void spend_expanded(std::size_t n);  // also counted against the message's bytes

 private:
  Limits limits_;
  std::chrono::steady_clock::time_point deadline_;
  std::size_t entries_ = 0;
  std::size_t expanded_ = 0;
};

// Reads that return 0 past the end, so hostile offsets never reach outside the buffer.
inline std::uint8_t u8(std::string_view s, std::size_t at) {
  return at < s.size() ? static_cast<std::uint8_t>(s[at]) : 0;
}
inline std::uint16_t le16(std::string_view s, std::size_t at) {
  return static_cast<std::uint16_t>(u8(s, at) | (u8(s, at + 1) << 8));
}
inline std::uint32_t le32(std::string_view s, std::size_t at) {
  return static_cast<std::uint32_t>(le16(s, at)) | (static_cast<std::uint32_t>(le16(s, at + 2)) << 16);
}
inline std::uint64_t le64(std::string_view s, std::size_t at) {
  return static_cast<std::uint64_t>(le32(s, at)) | (static_cast<std::uint64_t>(le32(s, at + 4)) << 32);
}
// s[at, at+n) clamped to the buffer.
inline std::string_view slice(std::string_view s, std::uint64_t at, std::uint64_t n) {
  if (at >= s.size()) return {};
  return s.substr(static_cast<std::size_t>(at), static_cast<std::size_t>(std::min<std::uint64_t>(n, s.size() - at)));
}

// Result of a bounded decompression. `data` never exceeds the cap, whatever the headers claimed.
struct Expanded {
  std::string data;
  std::size_t produced = 0;  // all output, including what `drain` did not keep
  bool complete = false;  // reached the end of the compressed stream
  bool bomb = false;      // stopped by the ratio or total-size limit
  const char* bomb_reason = nullptr;  // then "ratio" or "bytes" (a FileReport::incomplete word)
  bool timed_out = false;
  bool error = false;     // corrupt or cut-off stream (data holds what came out before)
};

// zlib inflate; window_bits -15 raw deflate (ZIP), 15 zlib (PDF), 31 gzip. Keeps at most `want` bytes (and
// never more than the budget's remaining room). With `drain`, goes on decompressing past `want` without
// keeping the output, so the ratio and total-size limits still judge the whole stream. A stream is a bomb
// once its output exceeds max_ratio x the input consumed so far (outputs under 1 MiB are never judged)
// or the tree's remaining room.
Expanded inflate_bounded(std::string_view in, int window_bits, Budget& budget, std::size_t want = SIZE_MAX,
                         bool drain = false);

// Appends UTF-8 text to the report, respecting max_text; false once the report's text is full.
bool append_text(FileReport& report, std::string_view utf8, const Limits& limits);
// ASCII-case-insensitive suffix test on file names.
bool ends_with_ci(std::string_view s, std::string_view suffix);
// Merges a child's findings into its parent: incompleteness (its reasons) and bombs propagate upward.
void adopt_child(FileReport& parent, FileReport&& child);
// Marks a bomb: `bomb` and the incomplete reason ("ratio" or "bytes"; "bytes" when null), with a problem.
void mark_bomb(FileReport& report, const char* reason, std::string problem = {});

// Inspects `bytes` as an archive entry at `depth` (the attachment itself is depth 0).
FileReport inspect_child(std::string name, std::string_view bytes, int depth, Budget& budget);
// True (and marks the report) when children at depth+1 would exceed max_depth.
bool too_deep(FileReport& report, int depth, const Budget& budget);

// True when `bytes` ends in a ZIP end-of-central-directory record (within the comment bound, ZIP64 too)
// whose central directory is where the record says, counted from the end: data in front (a
// self-extractor stub, a few stray bytes) does not hide an archive that unzip would open. (zip.cpp)
bool zip_end_record(std::string_view bytes);

// Content sniffing (sniff.cpp): the kind of `bytes`, with `name` only as a hint for text scripts and csv.
std::string sniff_kind(std::string_view name, std::string_view bytes);
bool executable_kind(std::string_view kind);
void inspect_text(FileReport& report, std::string_view bytes, const Budget& budget);

// Format readers; each fills in `report` (whose kind is already sniffed) and never throws on bad input.
void inspect_zip(FileReport& report, std::string_view bytes, int depth, Budget& budget);
void inspect_cfb(FileReport& report, std::string_view bytes, int depth, Budget& budget);
void inspect_pdf(FileReport& report, std::string_view bytes, Budget& budget);
void inspect_7z(FileReport& report, std::string_view bytes, Budget& budget);
void inspect_rar(FileReport& report, std::string_view bytes, const Budget& budget);
void inspect_gzip(FileReport& report, std::string_view bytes, int depth, Budget& budget);

}  // namespace preflight::inspect::detail
