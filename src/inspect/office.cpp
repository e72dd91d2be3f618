// Compound files: encrypted OOXML (EncryptionInfo + EncryptedPackage, also rights-managed documents), and
// legacy Office by its streams: .doc (FIB fEncrypted), .xls (FilePass record in the globals substream, sheet
// names and hidden states from BOUNDSHEET, Excel 4.0 macro sheets), .ppt (EncryptedSummary stream). VBA by
// its storages (Macros, _VBA_PROJECT_CUR, VBA); their text through legacy_text.hpp. Anything else stays "cfb"
// (e.g. Outlook .msg).
#include <array>

#include "cfb.hpp"
#include "crypto.hpp"
#include "internal.hpp"
#include "legacy_text.hpp"
#include "preflight/util/charset.hpp"

namespace preflight::inspect::detail {

namespace {

constexpr std::size_t kMaxWorkbookRead = 64 * 1024 * 1024;

std::string utf16le(std::string_view ascii) {
  std::string out;
  for (char c : ascii) out += {c, '\0'};
  return out;
}

std::string le32_bytes(std::uint32_t v) {
  return {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16), static_cast<char>(v >> 24)};
}

// Excel encrypts with the fixed password "VelvetSweatshop" when a workbook is only write-protected; such a
// file opens without asking. Checks the FilePass verifier against that password (MS-OFFCRYPTO 2.3.6/2.3.5).
bool velvet_sweatshop(std::string_view fp) {
  const std::string pwd = utf16le("VelvetSweatshop");
  const std::uint16_t type = le16(fp, 0), major = le16(fp, 2), minor = le16(fp, 4);
  if (type == 0) {  // XOR obfuscation: a 16-bit password verifier
    std::uint16_t v = 0;
    const std::string ansi = "VelvetSweatshop";
    const std::string arr = std::string(1, static_cast<char>(ansi.size())) + ansi;
    for (auto it = arr.rbegin(); it != arr.rend(); ++it)
      v = static_cast<std::uint16_t>((((v & 0x4000) ? 1 : 0) | ((v << 1) & 0x7FFF)) ^ static_cast<unsigned char>(*it));
    return (v ^ 0xCE4B) == le16(fp, 4);
  }
  if (type != 1) return false;
  if (major == 1 && minor == 1 && fp.size() >= 54) {  // RC4 with MD5 key derivation
    const std::string h0 = digest("MD5", pwd).substr(0, 5);
    std::string buf;
    for (int i = 0; i < 16; ++i) buf += h0 + std::string(fp.substr(6, 16));
    const std::string key = digest("MD5", digest("MD5", buf).substr(0, 5) + le32_bytes(0));
    const std::string dec = rc4(key, fp.substr(22, 32));
    return dec.size() == 32 && digest("MD5", dec.substr(0, 16)) == dec.substr(16);
  }
  const std::uint32_t header_size = le32(fp, 10);
  const std::size_t v = 14 + std::size_t{header_size};  // RC4 CryptoAPI: header, then verifier
  if (header_size > 1024 || v + 60 > fp.size()) return false;
  const std::uint32_t bits = le32(fp, 14 + 16);
  std::string key = digest("SHA1", digest("SHA1", std::string(fp.substr(v + 4, 16)) + pwd) + le32_bytes(0));
  key.resize(bits == 0 || bits == 40 ? 5 : std::min<std::size_t>(bits / 8, 20));
  if (key.size() == 5) key.resize(16, '\0');  // 40-bit keys are padded to 128 bits
  const std::string dec = rc4(key, std::string(fp.substr(v + 20, 16)) + std::string(fp.substr(v + 40, 20)));
  return dec.size() == 36 && digest("SHA1", dec.substr(0, 16)) == dec.substr(16);
}

void boundsheet(FileReport& r, std::string_view d) {
  const std::uint8_t state = u8(d, 4) & 0x03, type = u8(d, 5), cch = u8(d, 6);
  const bool wide = u8(d, 7) & 0x01;
  const std::string_view raw = slice(d, 8, wide ? 2u * cch : cch);
  const std::string name = util::to_utf8(raw, wide ? "UTF-16LE" : "ISO-8859-1");
  r.sheets.push_back(name);
  if (state == 1 || state == 2) r.hidden_sheets.push_back(name);
  if (type == 1) r.macros = true;  // an Excel 4.0 macro sheet
}

// Walks the BIFF8 records of the workbook globals (BOF .. EOF).
void workbook_globals(FileReport& r, std::string_view w) {
  if (le16(w, 0) != 0x0809) {
    r.problems.push_back("workbook stream without a BIFF8 BOF record");
    return;
  }
  bool encrypted = false;
  for (std::size_t at = 0; at + 4 <= w.size();) {
    const std::uint16_t type = le16(w, at), len = le16(w, at + 2);
    const std::string_view data = slice(w, at + 4, len);
    if (type == 0x000A) break;  // EOF of the globals substream
    if (type == 0x002F) {
      encrypted = true;
      r.encrypted = true;
      r.encryption = "xls";
      if (velvet_sweatshop(data)) {
        r.opens_without_password = true;
        r.problems.push_back("encrypted with the default password VelvetSweatshop (write protection only)");
      }
    }
    if (type == 0x0085 && !encrypted) boundsheet(r, data);  // names are encrypted after FilePass
    at += 4 + std::size_t{len};
  }
}

void doc_stream(FileReport& r, const Cfb& cfb, const CfbEntry& e) {
  r.kind = "doc";
  const std::string fib = cfb.read(e, 0x20);
  if (fib.size() < 0x0C) {
    r.problems.push_back("WordDocument stream too short");
    return;
  }
  if (le16(fib, 0x0A) & 0x0100) {
    r.encrypted = true;
    r.encryption = "doc";
  }
}

void legacy_office(FileReport& r, const Cfb& cfb) {
  if (const CfbEntry* e = cfb.find("WordDocument")) doc_stream(r, cfb, *e);
  const CfbEntry* book = cfb.find("Workbook");
  if (!book) book = cfb.find("Book");
  if (book && r.kind == "cfb") {
    r.kind = "xls";
    workbook_globals(r, cfb.read(*book, kMaxWorkbookRead));
  }
  if (cfb.find("PowerPoint Document") && r.kind == "cfb") {
    r.kind = "ppt";
    if (cfb.find("EncryptedSummary")) {
      r.encrypted = true;
      r.encryption = "ppt";
    }
  }
  r.macros = r.macros || cfb.find("Macros") || cfb.find("_VBA_PROJECT_CUR") || cfb.has_name("VBA");
}

// Files embedded as OLE packages keep their bytes in an Ole10Native stream: size, flags, label, path,
// then the native data with its own length.
void embedded_packages(FileReport& r, const Cfb& cfb, int depth, Budget& budget) {
  for (const CfbEntry& e : cfb.entries()) {
    if (e.type != 2 || !e.path.ends_with("\x01Ole10Native")) continue;
    if (too_deep(r, depth, budget)) return;
    if (!budget.take_entry()) return mark_incomplete(r, "entries", "embedded packages not all inspected (max_entries)");
    const std::string s = cfb.read(e, std::min<std::size_t>(budget.expand_room(), kMaxWorkbookRead));
    budget.spend_expanded(s.size());  // many entries may share one chain: each copy counts
    // Layout: total size (4), flags (2), label\0, source path\0, reserved (4), temp path length (4) and
    // path, data length (4), data.
    const std::size_t label_end = std::min(s.find('\0', 6), s.size());
    const std::string label = s.substr(std::min<std::size_t>(6, s.size()), label_end - std::min<std::size_t>(6, s.size()));
    const std::size_t path_end = std::min(s.find('\0', std::min(label_end + 1, s.size())), s.size());
    const std::uint64_t temp_len_at = std::uint64_t{path_end} + 1 + 4;
    const std::uint64_t size_at = temp_len_at + 4 + le32(s, temp_len_at);
    const std::string_view data = slice(s, size_at + 4, le32(s, size_at));
    if (data.empty()) continue;
    adopt_child(r, inspect_child(r.name + "/" + util::guess_to_utf8(label), data, depth + 1, budget));
  }
}

}  // namespace

void inspect_cfb(FileReport& r, std::string_view bytes, int depth, Budget& budget) {
  Cfb cfb;
  std::string problem;
  const bool opened = cfb.open(bytes, problem);
  if (cfb.directory_cut())
    mark_incomplete(r, "depth", "compound file directory not all read: storages nested deeper than " +
                                    std::to_string(Cfb::kMaxStorageDepth) + " or paths too long");
  if (!opened) return mark_incomplete(r, "corrupt", problem);
  if (cfb.find("EncryptedPackage") && (cfb.find("EncryptionInfo") || cfb.find("\x06" "DataSpaces"))) {
    r.kind = "encrypted-ooxml";
    r.encrypted = true;
    r.encryption = "ooxml";
    return;
  }
  legacy_office(r, cfb);
  legacy_text(r, cfb, budget);
  embedded_packages(r, cfb, depth, budget);
}

}  // namespace preflight::inspect::detail
