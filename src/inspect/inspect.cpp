// inspect(): sniffs the kind of an attachment and hands it to the reader for that format, recursively for
// archive entries, under one shared Budget. Also the small shared helpers of internal.hpp (budget, bounded
// inflate, text accumulation). No exception leaves inspect(): a failure becomes a problem on the report.
#include <zlib.h>

#include <array>
#include <exception>

#include "disk_image.hpp"
#include "internal.hpp"
#include "preflight/util/charset.hpp"

namespace preflight::inspect {
namespace detail {

Budget::Budget(const Limits& limits)
    : limits_(limits),
      deadline_(std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max(0, limits.max_milliseconds))) {
  if (limits.message) deadline_ = std::min(deadline_, limits.message->work_deadline());
}

bool Budget::expired() const {
  return std::chrono::steady_clock::now() >= deadline_ || (limits_.message && limits_.message->expired());
}

void Budget::spend_expanded(std::size_t n) {
  expanded_ += n;
  if (limits_.message) limits_.message->spend(n);  // running out shows in expired()
}

bool Budget::take_entry() {
  if (entries_ >= limits_.max_entries) return false;
  ++entries_;
  return true;
}

namespace {

// Output beyond this may be judged by its compression ratio; smaller outputs never are, so small files that
// compress very well (a page of spaces) are not called bombs.
constexpr std::size_t kRatioFloor = 1024 * 1024;

bool ratio_exceeded(std::size_t out, std::size_t consumed, double max_ratio) {
  return out > kRatioFloor && static_cast<double>(out) > max_ratio * static_cast<double>(std::max<std::size_t>(consumed, 1));
}

}  // namespace

// The ratio is measured against the input actually consumed, not against sizes claimed by headers.
Expanded inflate_bounded(std::string_view in, int window_bits, Budget& budget, std::size_t want, bool drain) {
  Expanded out;
  const std::size_t room = budget.expand_room();
  const std::size_t keep_max = std::min(room, want);
  z_stream zs{};
  if (inflateInit2(&zs, window_bits) != Z_OK) {
    out.error = true;
    return out;
  }
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(std::min<std::size_t>(in.size(), UINT32_MAX));
  std::array<char, 65536> buf;
  std::size_t produced = 0;
  bool enough = false;
  int rc = Z_OK;
  for (unsigned rounds = 1; rc == Z_OK; ++rounds) {
    zs.next_out = reinterpret_cast<Bytef*>(buf.data());
    zs.avail_out = static_cast<uInt>(buf.size());
    rc = inflate(&zs, Z_NO_FLUSH);
    const std::size_t got = buf.size() - zs.avail_out;
    produced += got;
    out.data.append(buf.data(), std::min(got, keep_max - out.data.size()));
    if (ratio_exceeded(produced, zs.total_in, budget.limits().max_ratio) || produced > room) {
      out.bomb = true;
      out.bomb_reason = produced > room ? "bytes" : "ratio";
      break;
    }
    enough = out.data.size() >= want;
    if (enough && !drain) break;
    if (rounds % 16 == 0 && budget.expired()) {
      out.timed_out = true;
      break;
    }
  }
  out.complete = (rc == Z_STREAM_END);
  out.error = !out.complete && !out.bomb && !out.timed_out && !enough;
  inflateEnd(&zs);
  budget.spend_expanded(produced);
  out.produced = produced;
  return out;
}

bool append_text(FileReport& report, std::string_view utf8, const Limits& limits) {
  if (report.text.size() >= limits.max_text) {
    if (!utf8.empty()) mark_incomplete(report, "text");
    return false;
  }
  std::size_t room = limits.max_text - report.text.size();
  if (utf8.size() <= room) {
    report.text.append(utf8);
    return true;
  }
  // Cut on a character boundary so the text stays valid UTF-8.
  while (room > 0 && (static_cast<unsigned char>(utf8[room]) & 0xC0) == 0x80) --room;
  report.text.append(utf8.substr(0, room));
  mark_incomplete(report, "text", "text cut at max_text");
  return false;
}

bool ends_with_ci(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  for (std::size_t i = 0; i < suffix.size(); ++i) {
    char a = s[s.size() - suffix.size() + i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (a != suffix[i]) return false;
  }
  return true;
}

void adopt_child(FileReport& parent, FileReport&& child) {
  parent.bomb = parent.bomb || child.bomb;
  for (const std::string& reason : child.incomplete) mark_incomplete(parent, reason);
  parent.children.push_back(std::move(child));
}

bool too_deep(FileReport& report, int depth, const Budget& budget) {
  if (depth + 1 <= budget.limits().max_depth) return false;
  mark_incomplete(report, "depth", "not opened: nested deeper than max_depth");
  return true;
}

void mark_bomb(FileReport& report, const char* reason, std::string problem) {
  report.bomb = true;
  mark_incomplete(report, reason ? reason : "bytes", std::move(problem));
}

namespace {

void dispatch(FileReport& r, std::string_view bytes, int depth, Budget& budget) {
  const std::string& k = r.kind;
  if (k == "zip") inspect_zip(r, bytes, depth, budget);
  else if (k == "cfb") inspect_cfb(r, bytes, depth, budget);
  else if (k == "pdf") inspect_pdf(r, bytes, budget);
  else if (k == "7z") inspect_7z(r, bytes, budget);
  else if (k == "rar") inspect_rar(r, bytes, budget);
  else if (k == "gzip") inspect_gzip(r, bytes, depth, budget);
  else if (k == "iso" || k == "udf" || k == "img" || k == "vhd" || k == "vhdx") inspect_disk_image(r, bytes, depth, budget);
  else if (k == "text" || k == "csv" || k == "script") inspect_text(r, bytes, budget);
  r.executable = r.executable || executable_kind(r.kind);
  if (budget.expired()) mark_incomplete(r, "time", "time limit reached");
}

FileReport inspect_guarded(std::string name, std::string_view bytes, int depth, Budget& budget) {
  FileReport r;
  r.name = std::move(name);
  try {
    r.kind = sniff_kind(r.name, bytes);
    dispatch(r, bytes, depth, budget);
  } catch (const std::bad_alloc&) {
    mark_incomplete(r, "bytes", "out of memory while inspecting");
  } catch (const std::exception& e) {
    mark_incomplete(r, "corrupt", std::string("inspection failed: ") + e.what());
  } catch (...) {
    mark_incomplete(r, "corrupt", "inspection failed");
  }
  if (r.kind.empty()) r.kind = "unknown";
  return r;
}

}  // namespace

FileReport inspect_child(std::string name, std::string_view bytes, int depth, Budget& budget) {
  return inspect_guarded(std::move(name), bytes, depth, budget);
}

}  // namespace detail

FileReport inspect(std::string_view name, std::string_view bytes, const Limits& limits) {
  try {
    detail::Budget budget(limits);
    return detail::inspect_guarded(std::string(name), bytes, 0, budget);
  } catch (...) {
    FileReport r;  // only reachable if even the name could not be copied
    r.kind = "unknown";
    r.incomplete.push_back("bytes");
    return r;
  }
}

void mark_incomplete(FileReport& report, std::string_view reason, std::string problem) {
  if (std::find(report.incomplete.begin(), report.incomplete.end(), reason) == report.incomplete.end())
    report.incomplete.emplace_back(reason);
  if (!problem.empty()) report.problems.push_back(std::move(problem));
}

}  // namespace preflight::inspect
