// legacy_text (legacy_text.hpp): Word piece tables and PowerPoint text atoms; Excel in xls_text.cpp.
#include "legacy_text.hpp"

#include "preflight/util/charset.hpp"

namespace preflight::inspect::detail {

namespace {

constexpr std::size_t kMaxStreamRead = 64 * 1024 * 1024;
constexpr std::size_t kMaxPieces = 1 << 16;

// Word's marks become layout: paragraph, cell and page marks end lines; a field keeps its result and drops
// its instructions (0x13 instructions 0x14 result 0x15); other control characters go.
std::string word_layout(std::string_view utf8) {
  std::string out;
  int in_instructions = 0;
  for (char c : utf8) {
    if (c == 0x13) ++in_instructions;
    else if (c == 0x14 || c == 0x15) in_instructions = in_instructions > 0 ? in_instructions - 1 : 0;
    else if (in_instructions > 0) continue;
    else if (c == '\r' || c == 0x0B || c == 0x0C) out += '\n';
    else if (c == 0x07) out += '\t';
    else if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n') out += c;
  }
  return out;
}

// The text of a Word 97+ document: the CLX at fcClx in the table stream lists pieces of the character
// stream, each 8-bit (compressed, CP1252) or UTF-16LE.
std::string word_text(FileReport& r, const Cfb& cfb, const CfbEntry& word, std::size_t max) {
  const std::string w = cfb.read(word, kMaxStreamRead);
  if (le16(w, 2) < 0xC1) {
    r.problems.push_back("Word document older than Word 97: text not read");
    return {};
  }
  const CfbEntry* table = cfb.find((le16(w, 0x0A) & 0x0200) ? "1Table" : "0Table");
  const std::uint32_t fc = le32(w, 0x01A2), lcb = le32(w, 0x01A6);
  if (!table || lcb == 0) return {};
  const std::string t = cfb.read(*table, std::min<std::size_t>(kMaxStreamRead, std::size_t{fc} + lcb));
  const std::string_view clx = slice(t, fc, lcb);
  std::size_t i = 0;
  while (u8(clx, i) == 0x01) i += 3 + le16(clx, i + 1);  // Prc: property modifiers, skipped
  if (u8(clx, i) != 0x02) return {};
  const std::string_view plc = slice(clx, i + 5, le32(clx, i + 1));
  const std::size_t pieces = plc.size() >= 4 ? std::min((plc.size() - 4) / 12, kMaxPieces) : 0;
  std::string text;
  for (std::size_t k = 0; k < pieces && text.size() < max; ++k) {
    const std::uint32_t from = le32(plc, 4 * k), to = le32(plc, 4 * (k + 1));
    if (to <= from) continue;
    const std::uint64_t chars = std::min<std::uint64_t>(to - from, max);
    const std::uint32_t fc_piece = le32(plc, 4 * (pieces + 1) + 8 * k + 2);
    if (fc_piece & 0x40000000) {
      text += util::to_utf8(slice(w, (fc_piece & 0x3FFFFFFF) / 2, chars), "CP1252");
    } else {
      text += util::to_utf8(slice(w, fc_piece, 2 * chars), "UTF-16LE");
    }
  }
  return word_layout(text);
}

// PowerPoint records: containers (version 0xF) are entered, atoms skipped but for text atoms.
std::string ppt_text(const Cfb& cfb, const CfbEntry& doc, std::size_t max) {
  const std::string s = cfb.read(doc, kMaxStreamRead);
  std::string text;
  for (std::size_t at = 0; at + 8 <= s.size() && text.size() < max;) {
    const std::uint16_t ver = le16(s, at) & 0x0F, type = le16(s, at + 2);
    const std::uint32_t len = le32(s, at + 4);
    if (ver == 0x0F) {
      at += 8;
      continue;
    }
    const std::string_view data = slice(s, at + 8, len);
    if (type == 0x0FA0) text += util::to_utf8(data.substr(0, data.size() & ~std::size_t{1}), "UTF-16LE") + "\n";
    if (type == 0x0FA8) text += util::to_utf8(data, "ISO-8859-1") + "\n";
    at += 8 + std::size_t{len};
  }
  for (char& c : text)
    if (c == '\r' || c == 0x0B) c = '\n';
  return text;
}

}  // namespace

void legacy_text(FileReport& r, const Cfb& cfb, Budget& budget) {
  if (r.encrypted) return;
  const std::size_t max = budget.limits().max_text + 4;
  std::string text;
  bool cut = false;
  if (const CfbEntry* e = cfb.find("WordDocument"); e && r.kind == "doc") text = word_text(r, cfb, *e, max);
  if (r.kind == "xls") {
    const CfbEntry* book = cfb.find("Workbook");
    if (book) text = biff8_text(cfb.read(*book, kMaxStreamRead), r.sheets, max, cut);
  }
  if (const CfbEntry* e = cfb.find("PowerPoint Document"); e && r.kind == "ppt") text = ppt_text(cfb, *e, max);
  if (cut) {
    mark_incomplete(r, "text");
    r.problems.push_back("workbook text cut at max_text");
  }
  append_text(r, text, budget.limits());
}

}  // namespace preflight::inspect::detail
