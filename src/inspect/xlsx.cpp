// Workbook text for xlsx/xlsm: sheet names and hidden/veryHidden states from xl/workbook.xml, shared strings
// (without the phonetic <rPh> runs Japanese workbooks carry), and every sheet's cells in workbook order:
// each sheet's text starts with its name on a line, then one line per row with cells separated by tabs.
#include <cstdlib>

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

std::vector<std::string> shared_strings(const std::string& xml, const Budget& budget) {
  std::vector<std::string> out;
  std::string cur;
  bool in_si = false, in_t = false;
  int in_phonetic = 0;
  scan_xml(xml, {[&](const XmlTag& t) {
                   const std::string_view n = t.local();
                   if (n == "si") {
                     if (t.closing && in_si) out.push_back(std::move(cur));
                     in_si = !t.closing && !t.self_closing;
                     cur.clear();
                     if (t.self_closing) out.emplace_back();
                   } else if (n == "rPh" && !t.self_closing) {
                     in_phonetic += t.closing ? -1 : 1;
                   } else if (n == "t") {
                     in_t = !t.closing && !t.self_closing;
                   }
                 },
                 [&](std::string_view raw, bool cdata) {
                   if (in_si && in_t && in_phonetic <= 0) append_xml_text(cur, raw, cdata);
                 },
                 [&] { return budget.expired(); }});
  return out;
}

// One sheet's cells: shared-string indexes resolved, inline strings, numbers and formula results as written.
std::string sheet_text(const std::string& xml, const std::vector<std::string>& strings, const Budget& budget) {
  std::string out, value, type;
  bool in_value = false, in_inline = false, row_start = true;
  auto emit = [&] {
    if (!row_start) out += '\t';
    row_start = false;
    if (type == "s") {
      char* end = nullptr;
      const unsigned long i = std::strtoul(value.c_str(), &end, 10);
      out += (end != value.c_str() && i < strings.size()) ? strings[i] : value;
    } else {
      out += value;
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
                     out += '\n';
                     row_start = true;
                   }
                 },
                 [&](std::string_view raw, bool cdata) {
                   if (in_value) append_xml_text(value, raw, cdata);
                 },
                 [&] { return budget.expired() || out.size() > budget.limits().max_text; }});
  return out;
}

}  // namespace

void workbook_text(FileReport& report, const std::string& workbook_xml, const std::map<std::string, std::string>& rels,
                   const std::function<std::optional<std::string>(const std::string&)>& read_part,
                   const std::function<std::optional<std::string>()>& read_shared_strings, Budget& budget) {
  const std::vector<SheetRef> sheets = read_sheets(report, workbook_xml);
  std::vector<std::string> strings;
  if (auto xml = read_shared_strings()) strings = shared_strings(*xml, budget);
  for (const SheetRef& s : sheets) {
    if (budget.expired()) {
      report.truncated = true;
      report.problems.push_back("time limit reached in workbook");
      return;
    }
    auto target = rels.find(s.rel_id);
    if (target == rels.end()) continue;
    auto xml = read_part(target->second);
    if (!xml) continue;
    if (!append_text(report, s.name + "\n" + sheet_text(*xml, strings, budget), budget.limits())) return;
  }
}

}  // namespace preflight::inspect::detail
