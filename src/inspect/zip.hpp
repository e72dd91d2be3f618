// ZIP reading for the inspect module: the central directory (falling back to a walk over local headers
// when it is missing or cut off), encryption flags, decoded entry names, and bounded extraction of one
// entry. Sizes in headers are only hints: every read is clamped to the buffer and to the Budget (stored
// entries too: the bytes handed on count against max_expanded as if they had been inflated).
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "internal.hpp"

namespace preflight::inspect::detail {

struct ZipEntry {
  std::string name;  // decoded to UTF-8 (see zip_entry_name)
  std::uint16_t flags = 0;
  std::uint16_t method = 0;      // for WinZip AES, the real method from the 0x9901 field
  std::uint64_t csize = 0;       // claimed sizes; never trusted for allocation
  std::uint64_t usize = 0;
  std::uint64_t local_offset = 0;
  std::string encryption;        // "", "zipcrypto" or "zip-aes"
  bool is_dir() const { return !name.empty() && (name.back() == '/' || name.back() == '\\'); }
};

struct ZipArchive {
  std::vector<ZipEntry> entries;
  bool directory_encrypted = false;  // strong encryption of the central directory (bit 13)
  bool from_local_headers = false;   // no usable central directory: entries found by walking local headers
  bool entries_cut = false;          // more entries than max_entries
  bool damaged = false;              // directory missing or shorter than announced: entries may be missing
  std::vector<std::string> problems;
};

// Reads the directory of a ZIP archive; false if nothing ZIP-like was found.
bool read_zip(std::string_view bytes, ZipArchive& zip, const Budget& budget);

struct EntryData {
  std::string inflated;
  std::string_view stored;  // stored entries point into the archive instead of being copied
  bool is_stored = false;
  bool ok = false;        // complete and usable
  bool partial = false;   // only a prefix was kept (by request)
  bool bomb = false;
  bool timed_out = false;
  std::string problem;    // why not ok
  const char* reason = nullptr;  // then the FileReport::incomplete word: corrupt, method, ratio, bytes, time
  std::string_view bytes() const { return is_stored ? stored : std::string_view(inflated); }
};

// Extracts one entry (stored or deflated), bounded by the budget; a stored entry past the budget's room is
// cut there and marked a bomb, like a deflated one. `want` keeps only a prefix; with `drain`
// the rest is still decompressed (not kept) so that bombs are recognised even in entries read partially.
EntryData read_entry(std::string_view bytes, const ZipEntry& entry, Budget& budget, std::size_t want = SIZE_MAX,
                     bool drain = false);

// Carries what extracting an entry met onto the report made of it: a bomb, the incomplete reason, the problem.
void adopt_entry_data(FileReport& report, const EntryData& d);

// Finds an entry by its path, ASCII-case-insensitively and ignoring a leading '/'; nullptr if absent.
const ZipEntry* find_entry(const ZipArchive& zip, std::string_view path);

// OOXML packages (ooxml.cpp): called by inspect_zip when the archive has [Content_Types].xml. False (and
// `report` untouched) when the archive is not really a package: no main document part of a declared
// content type is there. Then it is inspected as the zip it is.
bool inspect_ooxml(FileReport& report, std::string_view bytes, const ZipArchive& zip, int depth, Budget& budget);

// Workbooks (xlsx.cpp): sheet names and states from workbook.xml, then every sheet's cells in workbook order.
// `rels` maps the workbook's relationship ids to part names; `read_part` reads a part through the budget.
void workbook_text(FileReport& report, const std::string& workbook_xml, const std::map<std::string, std::string>& rels,
                   const std::function<std::optional<std::string>(const std::string&)>& read_part,
                   const std::function<std::optional<std::string>()>& read_shared_strings, Budget& budget);

}  // namespace preflight::inspect::detail
