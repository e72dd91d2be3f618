// biff8_text (legacy_text.hpp): an Excel 97-2003 workbook's cells as text, sheet by sheet in stream order.
// The SST's strings may continue in CONTINUE records, where a string's characters resume after a new
// option byte (8-bit or UTF-16); its rich-text runs and phonetic data are skipped across records too.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "legacy_text.hpp"
#include "preflight/util/charset.hpp"

namespace preflight::inspect::detail {

namespace {

constexpr std::size_t kMaxStrings = 1 << 20;

// Reads through a record and its CONTINUE records as one byte sequence, except where characters resume.
class Segments {
 public:
  void add(std::string_view s) { parts_.push_back(s); }
  bool done() const { return part_ >= parts_.size(); }
  void skip(std::uint64_t n) {
    while (n > 0 && !done()) {
      const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(n, left()));
      at_ += take, n -= take;
      if (left() == 0) next();
    }
  }
  std::uint32_t read(int bytes) {
    std::uint32_t v = 0;
    for (int i = 0; i < bytes; ++i) {
      if (done()) return v;
      v |= static_cast<std::uint32_t>(u8(parts_[part_], at_++)) << (8 * i);
      if (left() == 0) next();
    }
    return v;
  }
  // `count` characters; at each record boundary inside them a new option byte says their width.
  std::string chars(std::uint32_t count, bool wide) {
    std::string out;
    while (count > 0 && !done()) {
      const std::size_t unit = wide ? 2 : 1;
      const std::size_t n = std::min<std::size_t>(count, left() / unit);
      const std::string_view raw = parts_[part_].substr(at_, n * unit);
      out += util::to_utf8(raw, wide ? "UTF-16LE" : "ISO-8859-1");
      at_ += n * unit, count -= static_cast<std::uint32_t>(n);
      if (count == 0) break;
      next();
      if (done()) break;
      wide = u8(parts_[part_], at_++) & 0x01;
    }
    if (!done() && left() == 0) next();
    return out;
  }

 private:
  std::size_t left() const { return parts_[part_].size() - at_; }
  void next() { ++part_, at_ = 0; }
  std::vector<std::string_view> parts_;
  std::size_t part_ = 0, at_ = 0;
};

std::vector<std::string> shared_strings(Segments seg) {
  std::vector<std::string> out;
  seg.skip(4);
  const std::uint32_t unique = seg.read(4);
  for (std::uint32_t i = 0; i < unique && i < kMaxStrings && !seg.done(); ++i) {
    const std::uint32_t cch = seg.read(2);
    const std::uint32_t flags = seg.read(1);
    const std::uint32_t runs = (flags & 0x08) ? seg.read(2) : 0;
    const std::uint32_t ext = (flags & 0x04) ? seg.read(4) : 0;
    out.push_back(seg.chars(cch, flags & 0x01));
    seg.skip(4ull * runs + ext);
  }
  return out;
}

std::string number(double v) {
  char buf[32];
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) std::snprintf(buf, sizeof buf, "%.0f", v);
  else std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

double rk(std::uint32_t v) {
  double d = 0;
  if (v & 0x02) {
    d = static_cast<double>(static_cast<std::int32_t>(v) >> 2);
  } else {
    const std::uint64_t bits = static_cast<std::uint64_t>(v & 0xFFFFFFFCu) << 32;
    std::memcpy(&d, &bits, sizeof d);
  }
  return (v & 0x01) ? d / 100 : d;
}

struct Cells {
  std::string text;
  long row = -1;
  void put(std::uint16_t r, std::string_view value) {
    if (row >= 0) text += (r == row ? '\t' : '\n');
    row = r;
    text += value;
  }
};

// The record at `at` followed by its CONTINUE records; `end` is set past the last of them.
Segments with_continues(std::string_view w, std::size_t at, std::size_t& end) {
  Segments seg;
  seg.add(slice(w, at + 4, le16(w, at + 2)));
  end = at + 4 + le16(w, at + 2);
  while (end + 4 <= w.size() && le16(w, end) == 0x003C) {
    seg.add(slice(w, end + 4, le16(w, end + 2)));
    end += 4 + std::size_t{le16(w, end + 2)};
  }
  return seg;
}

}  // namespace

std::string biff8_text(std::string_view w, const std::vector<std::string>& sheets, std::size_t max, bool& cut) {
  std::vector<std::string> sst;
  Cells cells;
  std::size_t sheet = 0;
  for (std::size_t at = 0; at + 4 <= w.size();) {
    if (cells.text.size() >= max) {
      cut = true;
      break;
    }
    const std::uint16_t type = le16(w, at), len = le16(w, at + 2);
    const std::string_view d = slice(w, at + 4, len);
    std::size_t next = at + 4 + std::size_t{len};
    if (type == 0x00FC) sst = shared_strings(with_continues(w, at, next));
    if (type == 0x0809 && le16(d, 2) == 0x0010) {  // a worksheet's BOF
      cells.text += cells.row >= 0 ? "\n" : "";
      cells.text += (sheet < sheets.size() ? sheets[sheet] : "sheet " + std::to_string(sheet + 1)) + "\n";
      cells.row = -1;
      ++sheet;
    }
    if (type == 0x00FD && le32(d, 6) < sst.size()) cells.put(le16(d, 0), sst[le32(d, 6)]);
    if (type == 0x0203 && d.size() >= 14) {
      double v = 0;
      std::memcpy(&v, d.data() + 6, sizeof v);
      cells.put(le16(d, 0), number(v));
    }
    if (type == 0x027E) cells.put(le16(d, 0), number(rk(le32(d, 6))));
    if (type == 0x00BD)
      for (std::size_t k = 4; k + 6 + 2 <= d.size(); k += 6) cells.put(le16(d, 0), number(rk(le32(d, k + 2))));
    if (type == 0x0204) {  // LABEL: an inline string (rare in BIFF8)
      Segments seg;
      seg.add(d.substr(std::min<std::size_t>(6, d.size())));
      const std::uint32_t cch = seg.read(2);
      const bool wide = seg.read(1) & 0x01;
      cells.put(le16(d, 0), seg.chars(cch, wide));
    }
    at = next;
  }
  return cells.text;
}

}  // namespace preflight::inspect::detail
