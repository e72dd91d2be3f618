// Text of legacy (binary) Office files, read from their compound-file streams with own bounded readers:
// Word's main stream through the piece table (CLX in the table stream), Excel BIFF8 cells in sheet order
// (shared strings from the SST and its CONTINUE records, numbers from NUMBER/RK/MULRK), and PowerPoint's
// TextCharsAtom/TextBytesAtom records. Nothing here decrypts; encrypted files keep no text.
#pragma once
#include <string>
#include <string_view>

#include "cfb.hpp"
#include "internal.hpp"

namespace preflight::inspect::detail {

// Appends the text of a report already sniffed as "doc", "xls" or "ppt" (others are left alone).
void legacy_text(FileReport& report, const Cfb& cfb, Budget& budget);

// BIFF8 workbook stream -> "sheet\ncell\tcell\n..." (xls_text.cpp); sheet names from `sheets`, in order.
std::string biff8_text(std::string_view workbook, const std::vector<std::string>& sheets, std::size_t max, bool& cut);

}  // namespace preflight::inspect::detail
