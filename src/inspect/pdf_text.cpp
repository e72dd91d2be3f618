// pdf_page_text (pdf_text.hpp): walks the page tree and shows each page's text through its fonts.
#include "pdf_text.hpp"

#include <algorithm>
#include <cmath>
#include <charconv>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "pdf.hpp"
#include "pdf_cmap.hpp"
#include "pdf_objects.hpp"
#include "preflight/util/charset.hpp"

namespace preflight::inspect::detail {

namespace {

constexpr int kMaxTreeDepth = 64;
constexpr std::size_t kMaxFontsPerPage = 256;
constexpr int kMaxFormDepth = 4;
constexpr std::size_t kMaxCMapBytes = 4 * 1024 * 1024;

struct Font {
  enum class Way { simple, cmap, utf16, cp932, none } way = Way::simple;
  PdfCMap cmap;
  int code_bytes = 1;
};

bool control_bytes(std::string_view b) {
  for (char c : b) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\t' && c != '\n' && c != '\r') return true;
  }
  return false;
}

void decode(const Font& f, std::string_view b, std::string& out) {
  switch (f.way) {
    case Font::Way::simple:
      if (b.starts_with("\xFE\xFF")) append_utf16be(out, b.substr(2));
      else if (!control_bytes(b)) out += util::to_utf8(b, "CP1252");  // else glyph ids: not text
      return;
    case Font::Way::utf16: append_utf16be(out, b); return;
    case Font::Way::cp932: out += util::to_utf8(b, "CP932"); return;
    case Font::Way::none: return;
    case Font::Way::cmap: break;
  }
  const auto n = static_cast<std::size_t>(f.code_bytes);
  for (std::size_t i = 0; i + n <= b.size(); i += n) {
    std::uint32_t code = 0;
    for (std::size_t k = 0; k < n; ++k) code = (code << 8) | static_cast<unsigned char>(b[i + k]);
    if (!f.cmap.append(code, out) && n == 1 && code >= 0x20 && code < 0x7F) out += static_cast<char>(code);
  }
}

// Every "N G R" of an array, as views of the reference text.
std::vector<std::string_view> references(std::string_view array) {
  std::vector<std::string_view> refs;
  std::size_t pos = 0, first = 0, second = 0;
  int numbers = 0;
  if (pdf_next(array, pos).type != PdfTok::array_open) return refs;
  for (PdfToken t = pdf_next(array, pos); t.type != PdfTok::end && t.type != PdfTok::array_close;
       t = pdf_next(array, pos)) {
    if (t.type == PdfTok::number) {
      first = second, second = static_cast<std::size_t>(t.raw.data() - array.data());
      ++numbers;
    } else if (t.raw == "R" && numbers >= 2) {
      refs.push_back(array.substr(first, pos - first));
      numbers = 0;
    } else {
      numbers = 0;
    }
  }
  return refs;
}

// Where text is drawn, as far as line breaks and word gaps need it: the origin and scale of the text line
// matrix (BT, Td, TD, T*, TL, Tm), the font size, and an estimate of where the last run shown ended
// (narrow characters half an em, CJK ones a full em). A run on another line starts a new line; a run
// placed on the same line clearly past the end of the previous one is a separate word.
class TextCursor {
 public:
  void begin() { lx_ = ly_ = cx_ = 0, sx_ = sy_ = 1, moved_ = true; }
  void new_page() { shown_ = false; }
  void font_size(double s) { size_ = s; }
  void leading(double l) { leading_ = l; }
  void move(double x, double y, bool sets_leading) {
    if (sets_leading) leading_ = -y;
    lx_ += x * sx_, ly_ += y * sy_, cx_ = lx_, moved_ = true;
  }
  void matrix(double a, double d, double e, double f) { sx_ = a, sy_ = d, lx_ = e, ly_ = f, cx_ = lx_, moved_ = true; }
  void next_line() { move(0, -(leading_ != 0 ? leading_ : size_ * 1.2), false); }
  // The separator the next run needs from the text before it: '\n', ' ' or none (0).
  char separator() {
    const double h = std::max(std::fabs(size_ * sy_), 1.0), w = std::max(std::fabs(size_ * sx_), 1.0);
    char sep = 0;
    if (shown_ && std::fabs(ly_ - y_) > h * 0.5) sep = '\n';
    else if (shown_ && moved_ && cx_ > end_ + w) sep = ' ';
    y_ = ly_, moved_ = false, shown_ = true;
    return sep;
  }
  void advance(std::string_view utf8) {
    double ems = 0;
    for (unsigned char c : utf8)
      if ((c & 0xC0) != 0x80) ems += c >= 0xE3 ? 1.0 : 0.5;
    cx_ += ems * size_ * sx_;
    end_ = cx_;
  }

 private:
  double lx_ = 0, ly_ = 0, cx_ = 0, sx_ = 1, sy_ = 1, size_ = 1, leading_ = 0, y_ = 0, end_ = 0;
  bool moved_ = false, shown_ = false;
};

class PageText {
 public:
  PageText(FileReport& r, std::string_view file, Budget& budget) : r_(r), budget_(budget), objects_(file, budget, r) {}

  bool run() {
    if (objects_.root().empty()) return false;
    const auto pages = pdf_dict_value(objects_.dict(objects_.root()), "/Pages");
    if (!pages) return false;
    walk(*pages, {}, 0);
    append_text(r_, text_, budget_.limits());
    return pages_ > 0;
  }

 private:
  void stop(const std::string& why, std::string_view reason = "entries") {
    stopped_ = true;
    mark_incomplete(r_, reason);
    r_.problems.push_back(why);
  }

  // The value of `key` in the object `value` refers to, read from the object's own text rather than from
  // the dictionary view (which is cut at kMaxPdfDict), so that a long /Kids array is read whole.
  std::string_view whole_value(std::string_view value, std::string_view d, std::string_view key) {
    const auto v = pdf_dict_value(d, key);
    if (!v) return {};
    const std::string_view full = objects_.resolve(value);
    std::string_view from = v->data() >= full.data() && v->data() < full.data() + full.size()
                                ? full.substr(static_cast<std::size_t>(v->data() - full.data()))
                                : *v;
    if (!from.starts_with("[")) from = objects_.resolve(from);
    return from;
  }

  void walk(std::string_view value, std::string_view resources, int depth) {
    if (stopped_) return;
    if (depth > kMaxTreeDepth) return stop("PDF page tree deeper than " + std::to_string(kMaxTreeDepth), "depth");
    const std::string_view d = objects_.dict(value);
    if (d.empty() || !visited_.insert(d.data()).second) return;
    if (auto res = pdf_dict_value(d, "/Resources")) resources = *res;
    const std::string_view type = pdf_dict_value(d, "/Type").value_or("");
    const std::string_view kids = whole_value(value, d, "/Kids");
    if (type == "/Page" || (kids.empty() && type != "/Pages")) return page(d, resources);
    for (std::string_view kid : references(kids)) walk(kid, resources, depth + 1);
  }

  const Font& font(std::string_view value) {
    const std::string_view d = objects_.dict(value);
    auto [it, fresh] = fonts_.try_emplace(d.data());
    if (!fresh) return it->second;
    Font& f = it->second;
    if (auto tu = pdf_dict_value(d, "/ToUnicode")) {
      bool cut = false;
      if (auto s = objects_.stream(*tu, kMaxCMapBytes, cut)) f.cmap = PdfCMap::parse(*s);
    }
    const bool composite = pdf_dict_value(d, "/Subtype").value_or("") == "/Type0";
    const std::string_view enc = pdf_dict_value(d, "/Encoding").value_or("");
    f.code_bytes = f.cmap.code_bytes() ? f.cmap.code_bytes() : composite ? 2 : 1;
    if (!f.cmap.empty()) f.way = Font::Way::cmap;
    else if (!composite) f.way = Font::Way::simple;
    else if (enc.find("UCS2") != std::string_view::npos || enc.find("UTF16") != std::string_view::npos) f.way = Font::Way::utf16;
    else if (enc.find("RKSJ") != std::string_view::npos) f.way = Font::Way::cp932;
    else f.way = Font::Way::none;
    if (f.way == Font::Way::none && !unmapped_noted_) {
      unmapped_noted_ = true;
      r_.problems.push_back("PDF text in a composite font without a Unicode mapping was not read");
    }
    return f;
  }

  std::unordered_map<std::string, const Font*> page_fonts(std::string_view resources) {
    std::unordered_map<std::string, const Font*> out;
    const std::string_view fd = objects_.dict(pdf_dict_value(objects_.dict(resources), "/Font").value_or(""));
    std::size_t pos = 0;
    if (pdf_next(fd, pos).type != PdfTok::dict_open) return out;
    for (PdfToken t = pdf_next(fd, pos); t.type != PdfTok::end && out.size() < kMaxFontsPerPage; t = pdf_next(fd, pos)) {
      if (t.type != PdfTok::name) continue;
      const auto v = pdf_dict_value(fd, t.raw);
      if (!v) continue;
      out.emplace(std::string(t.raw), &font(*v));
      // Past the value just read, never back: the value found may belong to an earlier use of the name.
      pos = std::max(pos, static_cast<std::size_t>(v->data() - fd.data()) + v->size());
    }
    return out;
  }

  std::string contents(std::string_view d) {
    const std::string_view value = pdf_dict_value(d, "/Contents").value_or("");
    std::vector<std::string_view> parts = {value};
    if (value.empty()) return {};
    if (std::string_view arr = whole_value(d, d, "/Contents"); arr.starts_with("[")) parts = references(arr);
    std::string all;
    for (std::string_view part : parts) {
      bool cut = false;
      auto s = objects_.stream(part, kMaxContentStream - all.size(), cut);
      if (!s) {
        if (!unsupported_noted_) r_.problems.push_back("PDF content stream with an unsupported filter not read");
        unsupported_noted_ = true;
        mark_incomplete(r_, "method");
        continue;
      }
      all += *s;
      all += '\n';
      if (cut || all.size() >= kMaxContentStream) {
        mark_incomplete(r_, "bytes");
        r_.problems.push_back("PDF page content cut at " + std::to_string(kMaxContentStream) + " bytes");
        break;
      }
    }
    return all;
  }

  void page(std::string_view d, std::string_view resources) {
    if (pages_ >= budget_.limits().max_pages)
      return stop("PDF has more than " + std::to_string(budget_.limits().max_pages) + " pages: the rest not read");
    if (budget_.expired()) return stop("time limit reached while reading PDF pages", "time");
    if (text_.size() >= budget_.limits().max_text) return stop("text cut at max_text", "text");
    ++pages_;
    cursor_.new_page();
    show(contents(d), resources, 0);
    text_ += '\n';
  }

  // A form XObject drawn with Do: its stream shown with its own resources (else the caller's), each form
  // once per document and at most kMaxFormDepth forms deep.
  void form(std::string_view name, std::string_view resources, int depth) {
    const std::string_view xobjects = objects_.dict(pdf_dict_value(objects_.dict(resources), "/XObject").value_or(""));
    const std::string_view value = pdf_dict_value(xobjects, name).value_or("");
    const std::string_view d = objects_.dict(value);
    if (d.empty() || pdf_dict_value(d, "/Subtype").value_or("") != "/Form" || depth >= kMaxFormDepth ||
        !forms_.insert(d.data()).second)
      return;
    bool cut = false;
    const auto s = objects_.stream(value, kMaxContentStream, cut);
    if (!s) return;
    if (cut) {
      mark_incomplete(r_, "bytes");
      r_.problems.push_back("PDF form content cut at " + std::to_string(kMaxContentStream) + " bytes");
    }
    show(*s, pdf_dict_value(d, "/Resources").value_or(resources), depth + 1);
  }

  void show(std::string_view c, std::string_view resources, int depth) {
    static const Font kSimple;
    const auto fonts = page_fonts(resources);
    const Font* current = &kSimple;
    std::vector<std::string_view> strings;  // operands of the next text-showing operator
    std::vector<std::string_view> nums;     // numeric operands of the next operator
    std::string_view last_name;
    const std::size_t max = budget_.limits().max_text;
    for (std::size_t pos = 0, n = 0; pos < c.size() && text_.size() < max; ++n) {
      if (n % 65536 == 65535 && budget_.expired()) return;
      const PdfToken t = pdf_next(c, pos);
      if (t.type == PdfTok::end) break;
      if (t.type == PdfTok::string || t.type == PdfTok::hexstring) strings.push_back(t.raw);
      if (t.type == PdfTok::array_open) strings.clear();
      if (t.type == PdfTok::name) last_name = t.raw;
      if (t.type == PdfTok::number) {
        nums.push_back(t.raw);
        if (t.raw.starts_with("-") && t.raw.size() >= 4) strings.push_back(" ");  // a wide TJ gap is a space
      }
      if (t.type != PdfTok::keyword) continue;
      const std::string_view op = t.raw;
      if (op == "Tf") {
        const auto it = fonts.find(std::string(last_name));
        current = it == fonts.end() ? &kSimple : it->second;
      }
      position(op, nums);
      if (op == "Tj" || op == "TJ" || op == "'" || op == "\"") shown(*current, strings);
      if (op == "Do") form(last_name, resources, depth);
      if (op == "ID") {  // inline image data: binary up to "EI"
        const std::size_t ei = c.find("EI", pos);
        pos = ei == std::string_view::npos ? c.size() : ei + 2;
      }
      strings.clear();
      nums.clear();
    }
  }

  // Text positioning and state operators, as far as the cursor needs them. Operands are parsed only here:
  // most numbers in a content stream are path coordinates nobody needs.
  void position(std::string_view op, const std::vector<std::string_view>& raw) {
    if (op == "BT") return cursor_.begin();
    if (op == "T*" || op == "'" || op == "\"") return cursor_.next_line();
    if (op != "Td" && op != "TD" && op != "Tm" && op != "TL" && op != "Tf") return;
    std::vector<double> v;
    for (std::string_view r : raw) {
      double d = 0;
      if (!r.empty() && r[0] == '+') r.remove_prefix(1);
      std::from_chars(r.data(), r.data() + r.size(), d);
      v.push_back(d);
    }
    const std::size_t n = v.size();
    if ((op == "Td" || op == "TD") && n >= 2) cursor_.move(v[n - 2], v[n - 1], op == "TD");
    else if (op == "Tm" && n >= 6) cursor_.matrix(v[n - 6], v[n - 3], v[n - 2], v[n - 1]);
    else if (op == "TL" && n >= 1) cursor_.leading(v[n - 1]);
    else if (op == "Tf" && n >= 1) cursor_.font_size(v[n - 1]);
  }

  void shown(const Font& font, const std::vector<std::string_view>& strings) {
    const std::size_t before = text_.size();
    const char sep = cursor_.separator();
    if (sep && !text_.empty() && text_.back() != '\n' && text_.back() != sep) text_ += sep;
    const std::size_t from = text_.size();
    for (auto s : strings) {
      if (s != " ") decode(font, pdf_string(s), text_);
      else if (text_.size() > before && text_.back() != ' ') text_ += ' ';
    }
    cursor_.advance(std::string_view(text_).substr(from));
  }

  FileReport& r_;
  Budget& budget_;
  PdfObjects objects_;
  std::unordered_map<const char*, Font> fonts_;  // by the font dictionary's position
  std::unordered_set<const char*> visited_, forms_;
  std::size_t pages_ = 0;
  std::string text_;
  TextCursor cursor_;
  bool stopped_ = false, unmapped_noted_ = false, unsupported_noted_ = false;
};

}  // namespace

bool pdf_page_text(FileReport& report, std::string_view file, Budget& budget) {
  return PageText(report, file, budget).run();
}

}  // namespace preflight::inspect::detail
