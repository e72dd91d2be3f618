// PdfCMap (pdf_cmap.hpp): parsing ToUnicode CMaps and looking codes up.
#include "pdf_cmap.hpp"

#include <algorithm>

#include "pdf.hpp"
#include "preflight/util/charset.hpp"

namespace preflight::inspect::detail {

namespace {

std::uint32_t code_of(std::string_view bytes) {
  std::uint32_t c = 0;
  for (char b : bytes.substr(0, 4)) c = (c << 8) | static_cast<unsigned char>(b);
  return c;
}

std::u16string units_of(std::string_view be) {
  std::u16string u;
  for (std::size_t i = 0; i + 1 < be.size(); i += 2)
    u += static_cast<char16_t>((static_cast<unsigned char>(be[i]) << 8) | static_cast<unsigned char>(be[i + 1]));
  return u;
}

void append_units(std::string& out, const std::u16string& u) {
  for (std::size_t i = 0; i < u.size(); ++i) {
    char32_t c = u[i];
    if (c >= 0xD800 && c < 0xDC00 && i + 1 < u.size() && u[i + 1] >= 0xDC00 && u[i + 1] < 0xE000)
      c = 0x10000 + ((c - 0xD800) << 10) + (u[++i] - 0xDC00);
    if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') util::append_utf8(out, c);
  }
}

}  // namespace

void append_utf16be(std::string& out, std::string_view bytes) { append_units(out, units_of(bytes)); }

PdfCMap PdfCMap::parse(std::string_view p) {
  PdfCMap m;
  enum { none, codespace, bfchar, bfrange } section = none;
  std::vector<PdfToken> operands;
  std::vector<int> lengths;
  std::size_t pos = 0;
  for (PdfToken t = pdf_next(p, pos); t.type != PdfTok::end; t = pdf_next(p, pos)) {
    if (m.single_.size() + m.ranges_.size() >= kMaxEntries) break;
    if (t.type == PdfTok::keyword) {
      if (t.raw == "begincodespacerange") section = codespace;
      else if (t.raw == "beginbfchar") section = bfchar;
      else if (t.raw == "beginbfrange") section = bfrange;
      else if (t.raw.starts_with("end")) section = none;
      operands.clear();
      continue;
    }
    if (section == none) continue;
    if (section == bfrange && t.type == PdfTok::array_open && operands.size() == 2) {
      // <lo> <hi> [<u1> <u2> ...]: one destination per code.
      std::uint32_t code = code_of(pdf_string(operands[0].raw));
      for (PdfToken d = pdf_next(p, pos); d.type == PdfTok::hexstring && m.single_.size() < kMaxEntries;
           d = pdf_next(p, pos)) {
        std::string utf8;
        append_utf16be(utf8, pdf_string(d.raw));
        m.single_[code++] = std::move(utf8);
      }
      operands.clear();
      continue;
    }
    if (t.type != PdfTok::hexstring) {
      operands.clear();
      continue;
    }
    operands.push_back(t);
    const std::size_t need = section == bfrange ? 3 : 2;
    if (operands.size() < need) continue;
    const std::string a = pdf_string(operands[0].raw), b = pdf_string(operands[1].raw);
    if (section == codespace) {
      lengths.push_back(static_cast<int>(a.size()));
    } else if (section == bfchar) {
      std::string utf8;
      append_utf16be(utf8, b);
      m.single_[code_of(a)] = std::move(utf8);
    } else if (code_of(a) <= code_of(b)) {
      m.ranges_.push_back({code_of(a), code_of(b), units_of(pdf_string(operands[2].raw))});
    }
    operands.clear();
  }
  if (!lengths.empty() && std::all_of(lengths.begin(), lengths.end(), [&](int n) { return n == lengths[0]; }))
    m.code_bytes_ = std::clamp(lengths[0], 1, 4);
  std::sort(m.ranges_.begin(), m.ranges_.end(), [](const Range& x, const Range& y) { return x.lo < y.lo; });
  return m;
}

bool PdfCMap::append(std::uint32_t code, std::string& out) const {
  if (const auto it = single_.find(code); it != single_.end()) {
    out += it->second;
    return true;
  }
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), code, [](std::uint32_t c, const Range& r) { return c < r.lo; });
  if (it == ranges_.begin()) return false;
  --it;
  if (code > it->hi || it->first.empty()) return false;
  std::u16string u = it->first;
  u.back() = static_cast<char16_t>(u.back() + (code - it->lo));
  append_units(out, u);
  return true;
}

}  // namespace preflight::inspect::detail
