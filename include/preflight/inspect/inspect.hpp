// Attachment inspection: what a file really is (by content, not by name), whether it is encrypted, whether
// it carries macros or executable code, its sheets, and its text — recursively into archives. Bounded in
// depth, entries, bytes, compression ratio and time: a zip bomb is a finding, never a crash or an
// unbounded allocation, and whatever could not be looked at is named in `incomplete` — never a silent pass.
// Pure function of the bytes; thread-safe.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "preflight/util/budget.hpp"

namespace preflight::inspect {

struct Limits {
  int max_depth = 3;                              // archives inside archives
  std::size_t max_entries = 2000;                 // entries looked at, over the whole tree
  std::size_t max_expanded = 200 * 1024 * 1024;   // decompressed bytes, over the whole tree
  double max_ratio = 200.0;                       // decompressed / compressed size of one entry
  std::size_t max_text = 4 * 1024 * 1024;         // extracted text kept per file
  int max_milliseconds = 3000;                    // wall time for one attachment
  std::size_t max_pages = 2000;                   // PDF pages whose text is read
  // The message's budget, when there is one: inspection also stops when its work time or bytes run out
  // (so one attachment gets at most what is left of the message's budget), and decompressed bytes count
  // against its bytes.
  util::Budget* message = nullptr;
};

struct FileReport {
  std::string name;  // as given, or the entry path inside an archive ("a.zip/dir/b.xlsx")
  // Sniffed kind: "zip", "7z", "rar", "gzip", "pdf", "docx", "xlsx", "pptx", "ooxml" (other OOXML),
  // "encrypted-ooxml", "doc", "xls", "ppt", "cfb" (other compound file), "exe" (PE), "elf", "macho",
  // "script" (shebang, .js/.vbs/.ps1/.bat/.cmd/.hta/.wsf by content or name), "lnk", "text", "csv",
  // disk images opened like archives: "iso", "udf" (UDF without ISO 9660), "img" (FAT volume or MBR
  // disk), "vhd"; not opened: "vhdx"; images and media: "png", "jpeg", "gif", "bmp", "tiff", "webp", "heic", "mp4", "mp3", "wav",
  // "avi", "ogg", "flac", "mkv"; and "unknown": binary content of no kind listed here
  std::string kind;
  bool encrypted = false;
  std::string encryption;       // "zipcrypto", "zip-aes", "7z", "rar", "pdf", "ooxml", "doc", "xls", "ppt"
  bool opens_without_password = false;  // PDF encrypted with an empty user password
  bool macros = false;          // VBA project or Excel 4.0 macro sheets, by content
  bool executable = false;      // exe, elf, macho, script, lnk
  std::vector<std::string> sheets;         // workbook sheet names, in order
  std::vector<std::string> hidden_sheets;  // those with state hidden or veryHidden
  std::string text;             // extracted UTF-8 text (txt, csv, docx, xlsx every sheet, pptx, pdf, doc, xls, ppt)
  bool bomb = false;            // a limit on ratio or expanded size was hit
  // Why some of this file (or of a file inside it) was not inspected, each reason once, in the order met:
  // "depth" (nested deeper than max_depth), "entries" (max_entries, or a reader's own count limit),
  // "bytes" (max_expanded, or memory), "ratio" (max_ratio), "time" (max_milliseconds), "text" (max_text),
  // "corrupt" (an unreadable or damaged container or stream), "method" (compressed with a method this
  // reader cannot undo). Encrypted content is not listed here: `encrypted` already says so.
  std::vector<std::string> incomplete;
  std::vector<std::string> problems;       // human-readable, for logs
  std::vector<FileReport> children;        // archive entries that were inspected
};

// Inspects one attachment. `name` is its decoded file name (used only as a hint, never trusted alone).
FileReport inspect(std::string_view name, std::string_view bytes, const Limits& limits = {});

// Adds `reason` (one of the words of FileReport::incomplete) once, and `problem` (if any) to problems.
void mark_incomplete(FileReport& report, std::string_view reason, std::string problem = {});

// Decodes a ZIP entry name: UTF-8 when flag bit 11 is set; else the Info-ZIP Unicode Path extra field
// (0x7075) when its CRC matches; else valid UTF-8 as is; else CP932; else CP437. (Exposed for tests.)
std::string zip_entry_name(std::string_view raw, bool utf8_flag, std::string_view unicode_extra_field);

}  // namespace preflight::inspect
