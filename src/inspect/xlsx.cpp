// Workbook text for xlsx/xlsm: sheet names and hidden/veryHidden states from xl/workbook.xml, shared strings
// (without the phonetic <rPh> runs Japanese workbooks carry), and every sheet's cells in workbook order:
// each sheet's text starts with its name on a line, then one line per row with cells separated by tabs.
// A sheet's text never grows past max_text, however often its cells repeat a large shared string.
#include <cstdlib>
#include <string_view>
#include <vector>

#include "xml.hpp"
#include "zip.hpp"

namespace preflight::inspect::detail {

namespace {

struct SheetRef {
  std::string name;
  std::string rel_id;
};

std::vector<SheetRef> read_sheets(FileReport& report, const std::string& workbook_xml) {
  std::vector<SheetRef> sheets;
  scan_xml(workbook_xml, {[&](const XmlTag& t) {
                            if (t.closing || t.local() != "sheet") return;
                            SheetRef s{xml_attr(t.attrs, "name").value_or(""), xml_attr(t.attrs, "id").value_or("")};
                            const std::string state = xml_attr(t.attrs, "state").value_or("visible");
                            report.sheets.push_back(s.name);
                            if (state == "hidden" || state == "veryHidden") report.hidden_sheets.push_back(s.name);
                            sheets.push_back(std::move(s));
                          },
                          nullptr, nullptr});
  return sheets;
}

// The shared-string table, packed: one buffer and the end of each string in it, so that a table of millions
// of empty <si/> costs 8 bytes per entry instead of a std::string each.
struct SharedStrings {
  std::string text;
  std::vector<std::size_t> ends;
  std::size_t size() const { return ends.size(); }
  std::string_view operator[](std::size_t i) const {
    const std::size_t begin = i == 0 ? 0 : ends[i - 1];
    return std::string_view(text).substr(begin, ends[i] - begin);
  }
  void drop_open() { text.resize(ends.empty() ? 0 : ends.back()); }  // text of an <si> not (yet) closed
};

SharedStrings shared_strings(const std::string& xml, const Budget& budget) {
  SharedStrings out;
  bool in_si = false, in_t = false;
  int in_phonetic = 0;
  scan_xml(xml, {[&](const XmlTag& t) {
                   const std::string_view n = t.local();
                   if (n == "si") {
                     if (t.closing && in_si) out.ends.push_back(out.text.size());
                     if (!t.closing && in_si) out.drop_open();  // a new <si> inside an unclosed one
                     in_si = !t.closing && !t.self_closing;
                     if (t.self_closing) out.ends.push_back(out.text.size());
                   } else if (n == "rPh" && !t.self_closing) {
                     in_phonetic += t.closing ? -1 : 1;
                   } else if (n == "t") {
                     in_t = !t.closing && !t.self_closing;
                   }
                 },
                 [&](std::string_view raw, bool cdata) {
                   if (in_si && in_t && in_phonetic <= 0) append_xml_text(out.text, raw, cdata);
                 },
                 [&] { return budget.expired(); }});
  out.drop_open();  // an <si> never closed
  return out;
}

// Appends `s` to `out` without letting it grow past `max` bytes (cut on a UTF-8 character boundary); false,
// with nothing or a prefix appended, when it did not fit.
bool append_capped(std::string& out, std::string_view s, std::size_t max) {
  const std::size_t room = out.size() < max ? max - out.size() : 0;
  if (s.size() <= room) {
    out.append(s);
    return true;
  }
  std::size_t cut = room;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  out.append(s.substr(0, cut));
  return false;
}

// One sheet's cells: shared-string indexes resolved, inline strings, numbers and formula results as written.
// The text stops at `max` bytes (`cut` then says so): cells may repeat one large shared string thousands of
// times, so the size is checked on every append, not only when the scanner polls.
std::string sheet_text(const std::string& xml, const SharedStrings& strings, const Budget& budget, std::size_t max,
                       bool& cut) {
  std::string out, value, type;
  bool in_value = false, in_inline = false, row_start = true;
  auto add = [&](std::string_view s) {
    if (!cut && !append_capped(out, s, max)) cut = true;
  };
  auto emit = [&] {
    if (!row_start) add("\t");
    row_start = false;
    if (type == "s") {
      char* end = nullptr;
      const unsigned long i = std::strtoul(value.c_str(), &end, 10);
      add((end != value.c_str() && i < strings.size()) ? strings[i] : std::string_view(value));
    } else {
      add(value);
    }
  };
  scan_xml(xml, {[&](const XmlTag& t) {
                   const std::string_view n = t.local();
                   if (n == "c" && !t.closing) {
                     type = xml_attr(t.attrs, "t").value_or("");
                     value.clear();
                   } else if (n == "c" && t.closing) {
                     emit();
                   } else if (n == "v") {
                     in_value = !t.closing && !t.self_closing;
                   } else if (n == "is") {
                     in_inline = !t.closing && !t.self_closing;
                   } else if (n == "t" && in_inline) {
                     in_value = !t.closing && !t.self_closing;
                   } else if (n == "row" && (t.closing || t.self_closing)) {
                     add("\n");
                     row_start = true;
                   }
                 },
                 [&](std::string_view raw, bool cdata) {
                   if (in_value && value.size() <= max) append_xml_text(value, raw, cdata);
                 },
                 [&] { return cut || budget.expired(); }});
  return out;
}

}  // namespace

void workbook_text(FileReport& report, const std::string& workbook_xml, const std::map<std::string, std::string>& rels,
                   const std::function<std::optional<std::string>(const std::string&)>& read_part,
                   const std::function<std::optional<std::string>()>& read_shared_strings, Budget& budget) {
  const std::vector<SheetRef> sheets = read_sheets(report, workbook_xml);
  SharedStrings strings;
  if (auto xml = read_shared_strings()) strings = shared_strings(*xml, budget);
  const std::size_t max = budget.limits().max_text;
  for (const SheetRef& s : sheets) {
    if (budget.expired()) return mark_incomplete(report, "time", "time limit reached in workbook");
    auto target = rels.find(s.rel_id);
    if (target == rels.end()) continue;
    auto xml = read_part(target->second);
    if (!xml) continue;
    bool cut = false;
    const std::string text = sheet_text(*xml, strings, budget, max, cut);
    if (cut) mark_incomplete(report, "text", "sheet " + s.name + ": text cut at max_text");
    if (!append_text(report, s.name + "\n" + text, budget.limits())) return;
  }
}

}  // namespace preflight::inspect::detail
