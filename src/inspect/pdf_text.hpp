// PDF text page by page (pdf_text.cpp): the page tree from the catalog (resources inherited, each node
// visited once, bounded depth), each page's content streams and the form XObjects they draw, and for each
// font its way from codes to Unicode: the ToUnicode CMap; else a predefined CJK encoding (Uni*-UCS2/UTF16
// as UTF-16, *-RKSJ as CP932); else, for simple fonts, the bytes as CP1252. Bounded by Limits::max_pages,
// the Budget's time and bytes, and kMaxContentStream decoded bytes of content per page; every cut is a
// problem and marks truncated.
#pragma once
#include <string_view>

#include "internal.hpp"

namespace preflight::inspect::detail {

constexpr std::size_t kMaxContentStream = 16 * 1024 * 1024;

// Appends the text of the pages to `report`; false if the file has no page tree that could be read (the
// caller then falls back to scanning its streams).
bool pdf_page_text(FileReport& report, std::string_view file, Budget& budget);

}  // namespace preflight::inspect::detail
