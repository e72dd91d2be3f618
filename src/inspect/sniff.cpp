// Content sniffing: what the bytes are, from magic numbers and headers, never from the name alone. The name
// only decides between text kinds (a .js or .bat file is plain text whose danger is its extension; .csv is
// text) and never overrides a binary signature. Also plain-text extraction for text, csv and scripts.
#include <array>

#include "disk_image.hpp"
#include "internal.hpp"
#include "preflight/util/charset.hpp"

namespace preflight::inspect::detail {

namespace {

bool starts(std::string_view s, std::string_view magic) { return s.substr(0, magic.size()) == magic; }

bool is_pe(std::string_view b) {
  if (!starts(b, "MZ")) return false;
  const std::uint32_t pe = le32(b, 0x3C);
  return pe >= 0x40 && pe < b.size() && b.substr(pe, 4) == std::string_view("PE\0\0", 4);
}

bool is_macho(std::string_view b) {
  static constexpr std::array<std::string_view, 4> kThin = {"\xFE\xED\xFA\xCE", "\xFE\xED\xFA\xCF",
                                                             "\xCE\xFA\xED\xFE", "\xCF\xFA\xED\xFE"};
  for (auto m : kThin)
    if (starts(b, m)) return true;
  // Fat binaries share CAFEBABE with Java classes; a class file has its version (>= 45) where a fat header
  // has a small architecture count.
  if (!starts(b, "\xCA\xFE\xBA\xBE") || b.size() < 8) return false;
  const std::uint32_t n = (u8(b, 4) << 24) | (u8(b, 5) << 16) | (u8(b, 6) << 8) | u8(b, 7);
  return n >= 1 && n < 20;
}

bool is_lnk(std::string_view b) {
  static constexpr std::string_view kClsid("\x01\x14\x02\x00\x00\x00\x00\x00\xC0\x00\x00\x00\x00\x00\x00\x46", 16);
  return b.size() >= 0x4C && le32(b, 0) == 0x4C && b.substr(4, 16) == kClsid;
}

bool is_pdf(std::string_view b) { return b.substr(0, 1024).find("%PDF-") != std::string_view::npos; }

bool is_zip(std::string_view b) {
  // Local header, empty archive, or spanned-archive marker; self-extracting archives are caught as exe.
  return starts(b, "PK\x03\x04") || starts(b, "PK\x05\x06") || starts(b, "PK\x07\x08PK");
}

// Scripts that Windows runs on a double click; text, so only the name can tell.
bool script_name(std::string_view name) {
  static constexpr std::array<std::string_view, 16> kExt = {".js",  ".jse", ".vbs", ".vbe", ".wsf", ".wsh",
                                                             ".hta", ".ps1", ".psm1", ".bat", ".cmd", ".scr",
                                                             ".vb",  ".sh",  ".py",  ".pif"};
  for (auto e : kExt)
    if (ends_with_ci(name, e)) return true;
  return false;
}

// Text: no NUL and few control bytes in the first 8 KiB (ESC is allowed for ISO-2022-JP), or a UTF-16 BOM.
bool looks_text(std::string_view b) {
  if (starts(b, "\xFF\xFE") || starts(b, "\xFE\xFF")) return true;
  const std::string_view head = b.substr(0, 8192);
  std::size_t odd = 0;
  for (char c : head) {
    const auto u = static_cast<unsigned char>(c);
    if (u == 0) return false;
    if (u < 0x20 && u != '\t' && u != '\n' && u != '\r' && u != '\f' && u != 0x1B) ++odd;
  }
  return odd * 100 <= head.size();
}

std::string binary_kind(std::string_view b) {
  if (is_zip(b)) return "zip";
  if (starts(b, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")) return "cfb";
  if (is_pdf(b)) return "pdf";
  if (starts(b, "7z\xBC\xAF\x27\x1C")) return "7z";
  if (starts(b, "Rar!\x1A\x07")) return "rar";
  if (starts(b, "\x1F\x8B")) return "gzip";
  if (is_pe(b)) return "exe";
  if (starts(b, "\x7F" "ELF")) return "elf";
  if (is_macho(b)) return "macho";
  if (is_lnk(b)) return "lnk";
  if (std::string k = disk_image_kind(b); !k.empty()) return k;
  if (zip_end_record(b)) return "zip";  // data in front of an archive (executable stubs are exe above)
  return media_kind(b);
}

}  // namespace

std::string sniff_kind(std::string_view name, std::string_view bytes) {
  std::string kind = binary_kind(bytes);
  if (!kind.empty()) return kind;
  if (starts(bytes, "#!") || starts(bytes, "#@~^")) return "script";  // shebang, or encoded .vbe/.jse
  if (script_name(name)) return "script";
  if (!looks_text(bytes)) return "unknown";
  if (ends_with_ci(name, ".csv") || ends_with_ci(name, ".tsv")) return "csv";
  return "text";
}

bool executable_kind(std::string_view kind) {
  return kind == "exe" || kind == "elf" || kind == "macho" || kind == "script" || kind == "lnk";
}

void inspect_text(FileReport& report, std::string_view bytes, const Budget& budget) {
  if (!looks_text(bytes)) return;  // a binary file with a script's name: nothing to read
  const std::size_t want = std::min(bytes.size(), budget.limits().max_text + 4);
  std::string_view head = bytes.substr(0, want);
  std::string utf8;
  if (starts(head, "\xFF\xFE") || starts(head, "\xFE\xFF")) {
    utf8 = util::to_utf8(head.substr(2, (head.size() - 2) & ~std::size_t{1}), head[0] == '\xFF' ? "UTF-16LE" : "UTF-16BE");
  } else {
    if (starts(head, "\xEF\xBB\xBF")) head.remove_prefix(3);
    // A cut in the middle of a multibyte character would spoil charset guessing; back off to a line end.
    if (want < bytes.size()) head = head.substr(0, head.rfind('\n') == std::string_view::npos ? head.size() : head.rfind('\n') + 1);
    utf8 = util::guess_to_utf8(head);
  }
  append_text(report, utf8, budget.limits());
  if (want < bytes.size()) mark_incomplete(report, "text");
}

}  // namespace preflight::inspect::detail
