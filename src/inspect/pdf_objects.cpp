// PdfObjects (pdf_objects.hpp): the object index, reference resolution and bounded stream decoding.
#include "pdf_objects.hpp"

#include <vector>

#include "pdf.hpp"

namespace preflight::inspect::detail {

namespace {

bool blank(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\0'; }
bool digit(char c) { return c >= '0' && c <= '9'; }

// `s` from its first token on: whitespace and comments skipped. (Not through pdf_next, which would lex the
// whole first token: an unclosed string there would run to the end of the file for every object.)
std::string_view skip_blanks(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && (blank(s[i]) || s[i] == '%')) {
    if (s[i] == '%') {
      const std::size_t eol = s.find_first_of("\r\n", i);
      i = eol == std::string_view::npos ? s.size() : eol;
    } else {
      ++i;
    }
  }
  return s.substr(i);
}

// Number of the object whose "obj" keyword is at `at` ("12 0 obj"), or nullopt if it is no object header.
std::optional<std::uint32_t> header_number(std::string_view s, std::size_t at) {
  if (at >= 3 && s.substr(at - 3, 3) == "end") return std::nullopt;
  std::size_t i = at;
  auto run = [&](bool (*pred)(char), std::size_t max) {
    std::size_t n = 0;
    while (i > 0 && n < max && pred(s[i - 1])) --i, ++n;
    return n;
  };
  if (run(blank, 16) == 0 || run(digit, 5) == 0 || run(blank, 16) == 0) return std::nullopt;
  const std::size_t end = i;
  if (run(digit, 10) == 0) return std::nullopt;
  if (i > 0 && !blank(s[i - 1]) && std::string_view("()<>[]{}/%").find(s[i - 1]) == std::string_view::npos)
    return std::nullopt;
  const auto n = pdf_int(s.substr(i, end - i));
  if (!n || *n < 0 || *n > UINT32_MAX) return std::nullopt;
  return static_cast<std::uint32_t>(*n);
}

// The names of a /Filter value ("/FlateDecode" or "[/FlateDecode]").
std::vector<std::string_view> filter_names(std::string_view value) {
  std::vector<std::string_view> names;
  std::size_t pos = 0;
  for (PdfToken t = pdf_next(value, pos); t.type != PdfTok::end; t = pdf_next(value, pos)) {
    if (t.type == PdfTok::name) names.push_back(t.raw);
    if (t.type == PdfTok::array_close || (t.type == PdfTok::name && value.substr(0, 1) != "[")) break;
  }
  return names;
}

// ASCII85 (btoa): groups of five characters '!'..'u' for four bytes, 'z' for four zeros, "~>" at the end.
std::string ascii85(std::string_view in) {
  std::string out;
  std::uint64_t group = 0;
  int n = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '~') break;
    if (c == 'z' && n == 0) {
      out.append(4, '\0');
      continue;
    }
    if (c < '!' || c > 'u') continue;  // whitespace
    group = group * 85 + static_cast<std::uint64_t>(c - '!');
    if (++n == 5) {
      for (int k = 3; k >= 0; --k) out += static_cast<char>((group >> (8 * k)) & 0xFF);
      group = 0, n = 0;
    }
  }
  if (n > 1) {
    for (int k = n; k < 5; ++k) group = group * 85 + 84;
    for (int k = 3; k >= 5 - n; --k) out += static_cast<char>((group >> (8 * k)) & 0xFF);
  }
  return out;
}

}  // namespace

PdfObjects::PdfObjects(std::string_view file, Budget& budget, FileReport& report)
    : file_(file), budget_(budget), report_(report) {
  scan_file();
  load_object_streams();
  for (std::size_t at = file_.rfind("/Root"), tries = 0; at != std::string_view::npos && tries < 16; ++tries) {
    const std::string_view value = skip_blanks(file_.substr(at + 5, 64));
    if (pdf_dict_value(dict(value), "/Pages")) {
      root_ = value;
      break;
    }
    at = at == 0 ? std::string_view::npos : file_.rfind("/Root", at - 1);
  }
}

void PdfObjects::add(std::uint32_t num, std::string_view text, bool replace) {
  if (objects_.size() >= kMaxObjects && !objects_.count(num)) {
    if (report_.incomplete.empty()) report_.problems.push_back("more than " + std::to_string(kMaxObjects) + " PDF objects");
    mark_incomplete(report_, "entries");
    return;
  }
  if (replace) objects_[num] = text;
  else objects_.emplace(num, text);
}

void PdfObjects::scan_file() {
  std::size_t seen = 0;
  for (std::size_t at = file_.find("obj"); at != std::string_view::npos; at = file_.find("obj", at + 3)) {
    if (++seen % 4096 == 0 && budget_.expired()) return;
    const char next = at + 3 < file_.size() ? file_[at + 3] : ' ';
    if (!blank(next) && next != '<' && next != '[' && next != '(' && next != '/') continue;
    if (const auto num = header_number(file_, at)) add(*num, skip_blanks(file_.substr(at + 3)), true);
  }
}

void PdfObjects::load_object_streams() {
  std::size_t count = 0, bytes = 0;
  for (std::size_t at = file_.find("/ObjStm"); at != std::string_view::npos; at = file_.find("/ObjStm", at + 7)) {
    if (++count > kMaxObjectStreams || budget_.expired() || bytes >= kMaxObjectStreamBytes) {
      mark_incomplete(report_, budget_.expired() ? "time" : "entries");
      report_.problems.push_back("PDF object streams not all read");
      return;
    }
    const std::size_t from = at > 4096 ? at - 4096 : 0;
    const std::size_t obj = file_.substr(from, at - from).rfind("obj");
    if (obj == std::string_view::npos) continue;
    const std::string_view body = skip_blanks(file_.substr(from + obj + 3));
    const std::string_view d = dict(body);
    if (pdf_dict_value(d, "/Type").value_or("") != "/ObjStm") continue;
    bool cut = false;
    auto data = stream(body, kMaxObjectStreamBytes - bytes, cut);
    if (!data) continue;
    bytes += data->size();
    const std::string& kept = owned_.emplace_back(std::move(*data));
    const long long n = pdf_int(pdf_dict_value(d, "/N").value_or("")).value_or(0);
    const long long first = pdf_int(pdf_dict_value(d, "/First").value_or("")).value_or(-1);
    if (first < 0 || static_cast<std::size_t>(first) > kept.size()) continue;
    std::size_t pos = 0;
    const std::string_view header(kept.data(), static_cast<std::size_t>(first));
    for (long long i = 0; i < n && i < static_cast<long long>(kMaxObjects); ++i) {
      const auto num = pdf_int(pdf_next(header, pos).raw), off = pdf_int(pdf_next(header, pos).raw);
      if (!num || !off || *num < 0 || *num > UINT32_MAX || *off < 0) break;
      const std::string_view text = slice(kept, static_cast<std::uint64_t>(first + *off), kept.size());
      add(static_cast<std::uint32_t>(*num), skip_blanks(text), false);  // a direct definition is newer
    }
  }
}

std::string_view PdfObjects::object(std::uint32_t num) const {
  const auto it = objects_.find(num);
  return it == objects_.end() ? std::string_view() : it->second;
}

std::string_view PdfObjects::resolve(std::string_view value) const {
  std::size_t pos = 0;
  const PdfToken n = pdf_next(value, pos), g = pdf_next(value, pos), r = pdf_next(value, pos);
  if (n.type != PdfTok::number || g.type != PdfTok::number || r.raw != "R") return value;
  const auto num = pdf_int(n.raw);
  return num && *num >= 0 && *num <= UINT32_MAX ? object(static_cast<std::uint32_t>(*num)) : std::string_view();
}

std::string_view PdfObjects::dict(std::string_view value) const {
  const std::string_view v = skip_blanks(resolve(value));
  return v.starts_with("<<") ? pdf_dict_at(v, 0) : std::string_view();
}

std::optional<std::string> PdfObjects::stream(std::string_view value, std::size_t max, bool& cut) {
  const std::string_view v = skip_blanks(resolve(value));
  const std::string_view d = dict(v);
  if (d.empty()) return std::nullopt;
  std::size_t pos = static_cast<std::size_t>(d.data() - v.data()) + d.size();
  const PdfToken kw = pdf_next(v, pos);
  if (kw.raw != "stream") return std::nullopt;
  if (pos < v.size() && v[pos] == '\r') ++pos;
  if (pos < v.size() && v[pos] == '\n') ++pos;
  std::size_t lp = 0;
  const auto len = pdf_int(pdf_next(resolve(pdf_dict_value(d, "/Length").value_or("")), lp).raw);
  std::string_view data;
  if (len && *len >= 0 && static_cast<std::uint64_t>(*len) <= v.size() - pos) {
    data = v.substr(pos, static_cast<std::size_t>(*len));
  } else {
    const std::size_t end = v.find("endstream", pos);
    data = v.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
  }
  const auto filters = filter_names(pdf_dict_value(d, "/Filter").value_or(""));
  std::string owned;  // output of the filters applied so far; `data` views it
  for (std::size_t i = 0; i < filters.size(); ++i) {
    const std::string_view f = filters[i];
    const bool last = i + 1 == filters.size();
    if (f == "/ASCIIHexDecode" || f == "/AHx") {
      owned = pdf_string("<" + std::string(data.substr(0, data.find('>'))) + ">");
    } else if (f == "/ASCII85Decode" || f == "/A85") {
      owned = ascii85(data);
    } else if (f == "/FlateDecode" || f == "/Fl") {
      Expanded x = inflate_bounded(data, 15, budget_, last ? max : SIZE_MAX);
      report_.bomb = report_.bomb || x.bomb;
      if (x.bomb || x.timed_out) mark_incomplete(report_, x.timed_out ? "time" : x.bomb_reason ? x.bomb_reason : "bytes");
      cut = cut || (!x.complete && (x.data.size() >= max || x.bomb || x.timed_out));
      owned = std::move(x.data);
    } else {
      return std::nullopt;  // LZW, RunLength, image filters: not content text
    }
    data = owned;
  }
  cut = cut || data.size() > max;
  if (owned.size() > max || data.data() != owned.data()) return std::string(data.substr(0, max));
  return owned;
}

}  // namespace preflight::inspect::detail
