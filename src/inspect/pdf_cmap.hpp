// ToUnicode CMaps of PDF fonts: the character codes a content stream shows, mapped to Unicode. Reads
// codespace ranges (how many bytes a code has), bfchar and bfrange entries (both the offset and the array
// form); everything else in the CMap program is ignored. Bounded: at most kMaxEntries mappings and ranges.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace preflight::inspect::detail {

class PdfCMap {
 public:
  static constexpr std::size_t kMaxEntries = 1 << 17;

  // Parses the (decoded) CMap stream.
  static PdfCMap parse(std::string_view program);
  bool empty() const { return single_.empty() && ranges_.empty(); }
  // Bytes per code from the codespace ranges (0 when the CMap declares none or several lengths).
  int code_bytes() const { return code_bytes_; }
  // Appends the UTF-8 text of `code`; false if the CMap does not map it.
  bool append(std::uint32_t code, std::string& out) const;

 private:
  struct Range {
    std::uint32_t lo = 0, hi = 0;
    std::u16string first;  // Unicode of `lo`; later codes add to its last unit
  };
  std::unordered_map<std::uint32_t, std::string> single_;
  std::vector<Range> ranges_;  // sorted by lo
  int code_bytes_ = 0;
};

// Appends UTF-16BE bytes (a PDF text string without its BOM, or a CMap destination) as UTF-8.
void append_utf16be(std::string& out, std::string_view bytes);

}  // namespace preflight::inspect::detail
