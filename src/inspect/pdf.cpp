// PDF: encryption from /Encrypt in a trailer or a cross-reference stream dictionary (newest first), with the
// empty-user-password test; only the newest 64 of each kind are looked at and no dictionary scan runs past
// 64 KiB, so a file of thousands of unclosed "trailer<<" costs linear time. Text from unencrypted content
// streams: page by page through the fonts' ToUnicode maps (pdf_text.cpp); only a file whose page tree cannot
// be read falls back to every uncompressed or FlateDecode stream here, shown by Tj/TJ/'/" with strings that
// decode as text (glyph ids of CID fonts are skipped rather than emitted as garbage).
#include <algorithm>
#include <vector>

#include "pdf.hpp"
#include "pdf_text.hpp"
#include "preflight/util/charset.hpp"

namespace preflight::inspect::detail {

namespace {

constexpr std::size_t kObjWindow = 65536;  // how far back from "stream" its object header may be
constexpr std::size_t kMaxTrailers = 64;   // newest "trailer" and "/XRef" candidates looked at, of each kind

struct Trailers {
  std::vector<std::string_view> dicts;  // in file order
  bool cut = false;                     // older candidates left unread (count or time)
};

// Trailer dictionaries and cross-reference stream dictionaries, in file order: the newest kMaxTrailers
// candidates of each kind, searched from the end (the newest revision decides), so that a file of thousands
// of "trailer" keywords costs at most 2 x kMaxTrailers bounded dictionary scans.
Trailers trailers(std::string_view s, const Budget& budget) {
  Trailers t;
  std::size_t candidates = 0;
  auto one_more = [&] {
    const bool ok = ++candidates <= kMaxTrailers && !budget.expired();
    t.cut = t.cut || !ok;
    return ok;
  };
  auto previous = [&](std::string_view word, std::size_t at) {
    return at == 0 ? std::string_view::npos : s.rfind(word, at - 1);
  };
  for (std::size_t at = s.rfind("trailer"); at != std::string_view::npos; at = previous("trailer", at)) {
    if (!one_more()) break;
    const std::string_view after = s.substr(at + 7, kMaxPdfDict);
    std::size_t p = 0;
    if (pdf_next(after, p).type != PdfTok::dict_open) continue;  // the keyword in text, not a trailer
    if (auto d = pdf_dict_at(s, at + 7); !d.empty()) t.dicts.push_back(d);
  }
  candidates = 0;
  for (std::size_t at = s.rfind("/XRef"); at != std::string_view::npos; at = previous("/XRef", at)) {
    if (!one_more()) break;
    const std::size_t from = at > 4096 ? at - 4096 : 0;
    const std::size_t obj = s.substr(from, at - from).rfind("obj");
    if (obj == std::string_view::npos) continue;
    const std::string_view d = pdf_dict_at(s, from + obj + 3);
    if (pdf_dict_value(d, "/Type").value_or("") == "/XRef") t.dicts.push_back(d);
  }
  std::sort(t.dicts.begin(), t.dicts.end(), [](auto a, auto b) { return a.data() < b.data(); });
  return t;
}

std::string first_id(std::string_view trailer) {
  const std::string_view ids = pdf_dict_value(trailer, "/ID").value_or("");
  std::size_t pos = 0;
  if (pdf_next(ids, pos).type != PdfTok::array_open) return {};
  const PdfToken t = pdf_next(ids, pos);
  return t.type == PdfTok::string || t.type == PdfTok::hexstring ? pdf_string(t.raw) : std::string();
}

void check_encryption(FileReport& r, std::string_view s, const Budget& budget) {
  const Trailers t = trailers(s, budget);
  for (auto it = t.dicts.rbegin(); it != t.dicts.rend(); ++it) {
    if (budget.expired()) {
      mark_incomplete(r, "time");
      break;
    }
    const auto enc = pdf_dict_value(*it, "/Encrypt");
    if (!enc) continue;
    r.encrypted = true;
    r.encryption = "pdf";
    r.opens_without_password = pdf_empty_user_password(pdf_resolve(s, *enc), first_id(*it));
    return;
  }
  if (t.cut)
    mark_incomplete(r, budget.expired() ? "time" : "entries",
                    "more than " + std::to_string(kMaxTrailers) +
                        " trailer or cross-reference dictionaries (or out of time): older ones not read");
  if (t.dicts.empty() || t.cut) {
    // No trailer found (cut-off file), or not all read: an /Encrypt key anywhere is the best remaining evidence.
    for (std::size_t at = s.find("/Encrypt"); at != std::string_view::npos; at = s.find("/Encrypt", at + 8)) {
      const char next = at + 8 < s.size() ? s[at + 8] : ' ';
      if (next == ' ' || next == '\r' || next == '\n' || next == '<' || (next >= '0' && next <= '9')) {
        r.encrypted = true;
        r.encryption = "pdf";
        r.problems.push_back(t.cut ? "trailers not all read; /Encrypt seen in the body"
                                   : "no trailer found; /Encrypt seen in the body");
        return;
      }
    }
  }
}

// Streams whose bytes are never page text: images, fonts, cross-reference and object streams, metadata.
bool not_content(std::string_view dict) {
  const std::string_view type = pdf_dict_value(dict, "/Type").value_or("");
  const std::string_view sub = pdf_dict_value(dict, "/Subtype").value_or("");
  return sub == "/Image" || type == "/XRef" || type == "/ObjStm" || type == "/Metadata" || type == "/EmbeddedFile" ||
         sub == "/Type1C" || sub == "/CIDFontType0C" || sub == "/OpenType" || pdf_dict_value(dict, "/Length1") ||
         pdf_dict_value(dict, "/DecodeParms");
}

struct Stream {
  std::string_view dict, data;
  std::size_t next = 0;  // where to look for the following stream
};

// The stream whose keyword is at `kw`, if it has a dictionary right before it.
std::optional<Stream> stream_at(std::string_view s, std::size_t kw) {
  std::size_t e = kw;
  while (e > 0 && (s[e - 1] == ' ' || s[e - 1] == '\r' || s[e - 1] == '\n' || s[e - 1] == '\t')) --e;
  if (e < 2 || s.substr(e - 2, 2) != ">>") return std::nullopt;
  const std::size_t from = e > kObjWindow ? e - kObjWindow : 0;
  const std::size_t obj = s.substr(from, e - from).rfind("obj");
  if (obj == std::string_view::npos) return std::nullopt;
  Stream st;
  st.dict = pdf_dict_at(s, from + obj + 3);
  if (st.dict.empty() || st.dict.data() + st.dict.size() != s.data() + e) return std::nullopt;
  std::size_t start = kw + 6;
  if (start < s.size() && s[start] == '\r') ++start;
  if (start < s.size() && s[start] == '\n') ++start;
  const auto len = pdf_int(pdf_dict_value(st.dict, "/Length").value_or(""));
  if (len && *len >= 0 && static_cast<std::uint64_t>(*len) <= s.size() - start) {
    st.data = s.substr(start, static_cast<std::size_t>(*len));
  } else {
    const std::size_t end = s.find("endstream", start);
    st.data = s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
  }
  st.next = start + st.data.size();
  return st;
}

void extract_text(FileReport& r, std::string_view s, Budget& budget) {
  const std::size_t max = budget.limits().max_text;
  std::string text;
  for (std::size_t at = s.find("stream"); at != std::string_view::npos; at = s.find("stream", at)) {
    // First, before any `continue`: a file of keywords that are not streams must still run out of time.
    if (budget.expired()) {
      mark_incomplete(r, "time");
      break;
    }
    const bool endword = at >= 3 && s.substr(at - 3, 3) == "end";
    const auto st = endword ? std::nullopt : stream_at(s, at);
    at = st ? std::max(st->next, at + 6) : at + 6;
    if (!st || not_content(st->dict)) continue;
    if (text.size() >= max) {
      mark_incomplete(r, "text");
      break;
    }
    const std::string_view filter = pdf_dict_value(st->dict, "/Filter").value_or("");
    if (filter.empty()) {
      pdf_content_text(st->data, text, max);
    } else if (filter == "/FlateDecode" || filter == "[/FlateDecode]" || filter == "[ /FlateDecode ]") {
      Expanded x = inflate_bounded(st->data, 15, budget);
      if (x.bomb) mark_bomb(r, x.bomb_reason);
      if (x.timed_out) mark_incomplete(r, "time");
      pdf_content_text(x.data, text, max);
    }
  }
  append_text(r, text, budget.limits());
}

void emit_string(std::string_view raw, std::string& out) {
  const std::string b = pdf_string(raw);
  if (b.starts_with("\xFE\xFF")) {
    out += util::to_utf8(std::string_view(b).substr(2), "UTF-16BE");
    return;
  }
  for (char c : b) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\t' && c != '\n' && c != '\r') return;  // glyph ids of a CID font, not text
  }
  out += util::to_utf8(b, "CP1252");
}

}  // namespace

void pdf_content_text(std::string_view c, std::string& out, std::size_t max) {
  std::vector<std::string_view> strings;  // operands of the next text-showing operator
  std::string_view last_number;
  for (std::size_t pos = 0; pos < c.size() && out.size() < max;) {
    const PdfToken t = pdf_next(c, pos);
    if (t.type == PdfTok::end) break;
    if (t.type == PdfTok::string || t.type == PdfTok::hexstring) strings.push_back(t.raw);
    if (t.type == PdfTok::array_open) strings.clear();
    if (t.type == PdfTok::number) {
      last_number = t.raw;
      if (t.raw.starts_with("-") && t.raw.size() >= 4) strings.push_back(" ");  // a wide TJ gap is a space
    }
    if (t.type != PdfTok::keyword) continue;
    const std::string_view op = t.raw;
    if (op == "'" || op == "\"" || op == "T*") out += '\n';
    if (op == "Tj" || op == "TJ" || op == "'" || op == "\"") {
      for (auto s : strings) {
        if (s == " ") {
          if (!out.empty() && out.back() != ' ') out += ' ';
        } else {
          emit_string(s, out);
        }
      }
    }
    if (op == "ET") out += '\n';
    if ((op == "Td" || op == "TD") && last_number != "0") out += '\n';
    if (op == "ID") {  // inline image data: binary up to "EI"
      const std::size_t ei = c.find("EI", pos);
      pos = ei == std::string_view::npos ? c.size() : ei + 2;
    }
    strings.clear();
  }
}

void inspect_pdf(FileReport& r, std::string_view bytes, Budget& budget) {
  check_encryption(r, bytes, budget);
  if (!r.encrypted && !pdf_page_text(r, bytes, budget)) extract_text(r, bytes, budget);
}

}  // namespace preflight::inspect::detail
