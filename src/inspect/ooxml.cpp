// OOXML packages (docx, xlsx, pptx and their macro-enabled twins), judged by [Content_Types].xml and never
// by part names: the kind from the main part's content type; macros from a vbaProject content type (however
// the part is named), a *.macroEnabled.main+xml main part, or Excel 4.0 macro sheets; text from the main
// document, the workbook's sheets (in workbook order, with their names and hidden states) or the slides.
// Embedded files (*/embeddings/*) and entries that are no part of the package are inspected as children.
// A zip is a package only when its main document part is really there (see main_part).
#include <algorithm>
#include <map>

#include "preflight/util/strings.hpp"
#include "xml.hpp"
#include "zip.hpp"

namespace preflight::inspect::detail {

namespace {

using util::to_lower;

// Per-part reading context: every read goes through the budget and reports its limits on `report`.
struct Package {
  std::string_view bytes;
  const ZipArchive& zip;
  Budget& budget;
  FileReport& report;
  std::map<std::string, std::string> defaults;   // extension -> content type (lower case)
  std::map<std::string, std::string> overrides;  // part name without '/' (lower case) -> content type

  std::string content_type(std::string_view part) const {
    const std::string p = to_lower(part.starts_with('/') ? part.substr(1) : part);
    if (auto it = overrides.find(p); it != overrides.end()) return it->second;
    const std::size_t dot = p.rfind('.');
    if (dot == std::string::npos) return {};
    auto it = defaults.find(p.substr(dot + 1));
    return it == defaults.end() ? std::string() : it->second;
  }

  std::optional<std::string> read(std::string_view part) {
    const ZipEntry* e = find_entry(zip, part);
    if (!e) return std::nullopt;
    EntryData d = read_entry(bytes, *e, budget);
    if (d.bomb) mark_bomb(report, d.reason);
    else if (!d.ok && d.reason) mark_incomplete(report, d.reason);
    if (!d.ok) report.problems.push_back(e->name + ": " + d.problem);
    return std::string(d.bytes());
  }

  bool stopped() const { return budget.expired() || report.text.size() >= budget.limits().max_text; }
};

void read_content_types(Package& pkg) {
  const auto xml = pkg.read("[Content_Types].xml");
  if (!xml) return;
  scan_xml(*xml, {[&](const XmlTag& t) {
                    if (t.closing) return;
                    const auto type = xml_attr(t.attrs, "ContentType");
                    if (!type) return;
                    if (t.local() == "Default") {
                      if (auto ext = xml_attr(t.attrs, "Extension")) pkg.defaults[to_lower(*ext)] = to_lower(*type);
                    } else if (t.local() == "Override") {
                      if (auto part = xml_attr(t.attrs, "PartName")) {
                        std::string_view p = *part;
                        if (p.starts_with('/')) p.remove_prefix(1);
                        pkg.overrides[to_lower(p)] = to_lower(*type);
                      }
                    }
                  },
                  nullptr, nullptr});
}

bool macro_part(std::string_view name, std::string_view type) {
  if (type == "application/vnd.ms-office.vbaproject") return true;
  if (type.find("macroenabled") != std::string_view::npos && type.ends_with("+xml")) return true;
  if (type == "application/vnd.ms-excel.macrosheet+xml" || type == "application/vnd.ms-excel.intlmacrosheet+xml")
    return true;
  return util::istarts_with(name, "xl/macrosheets/");
}

// The kind a main document part's content type makes of the package; empty when it is no main part type
// ("…main+xml", or xlsb's binary "….main").
std::string kind_of_main(std::string_view type) {
  if (!type.ends_with("main+xml") && !type.ends_with(".main")) return {};
  if (type.find("wordprocessingml") != std::string_view::npos || type.find("ms-word") != std::string_view::npos)
    return "docx";
  if (type.find("spreadsheetml") != std::string_view::npos || type.find("ms-excel") != std::string_view::npos)
    return "xlsx";
  if (type.find("presentationml") != std::string_view::npos || type.find("ms-powerpoint") != std::string_view::npos)
    return "pptx";
  return "ooxml";
}

// "word/document.xml" + "../media/a.png" -> "media/a.png"; absolute targets start at the package root.
std::string resolve(std::string_view base_part, std::string_view target) {
  std::vector<std::string> parts;
  if (!target.starts_with('/')) {
    const std::size_t slash = base_part.rfind('/');
    if (slash != std::string_view::npos) parts = util::split(base_part.substr(0, slash), '/');
  }
  for (const std::string& seg : util::split(target, '/')) {
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") {
      if (!parts.empty()) parts.pop_back();
    } else {
      parts.push_back(seg);
    }
  }
  return util::join(parts, "/");
}

// Relationship id -> resolved target part, from the part's _rels/<name>.rels.
std::map<std::string, std::string> relationships(Package& pkg, std::string_view part) {
  std::map<std::string, std::string> rels;
  const std::size_t slash = part.rfind('/');
  const std::string dir(slash == std::string_view::npos ? std::string_view() : part.substr(0, slash + 1));
  const auto xml = pkg.read(dir + "_rels/" + std::string(part.substr(dir.size())) + ".rels");
  if (!xml) return rels;
  scan_xml(*xml, {[&](const XmlTag& t) {
                    if (t.closing || t.local() != "Relationship") return;
                    auto id = xml_attr(t.attrs, "Id");
                    auto target = xml_attr(t.attrs, "Target");
                    if (id && target) rels[*id] = resolve(part, *target);
                  },
                  nullptr, nullptr});
  return rels;
}

void trim_back(std::string& s, char c) {
  while (!s.empty() && s.back() == c) s.pop_back();
}

// Text of word-processing and slide parts: runs (<w:t>, <a:t>) with paragraph and tab breaks;
// table cells end in a tab and rows in a newline, so a row reads like a line of a CSV.
std::string run_text(const Package& pkg, std::string_view xml) {
  std::string out;
  bool in_t = false;
  scan_xml(xml, {[&](const XmlTag& t) {
                   const std::string_view n = t.local();
                   if (n == "t") in_t = !t.closing && !t.self_closing;
                   else if (!t.closing && n == "tab") out += '\t';
                   else if (!t.closing && (n == "br" || n == "cr")) out += '\n';
                   else if (t.closing && n == "p") out += '\n';
                   else if (t.closing && n == "tc") trim_back(out, '\n'), out += '\t';
                   else if (t.closing && n == "tr") trim_back(out, '\t'), out += '\n';
                 },
                 [&](std::string_view raw, bool cdata) {
                   if (in_t) append_xml_text(out, raw, cdata);
                 },
                 [&] { return pkg.stopped() || out.size() > pkg.budget.limits().max_text; }});
  return out;
}

// The parts of `kind` worth reading for text, in reading order.
std::vector<std::string> text_parts(const Package& pkg, const std::string& main, const std::string& kind) {
  std::vector<std::string> parts;
  if (kind == "docx") parts.push_back(main);
  for (const ZipEntry& e : pkg.zip.entries) {
    const std::string type = pkg.content_type(e.name);
    if (kind == "docx" && type.find("wordprocessingml.") != std::string::npos &&
        (type.find("header+") != std::string::npos || type.find("footer+") != std::string::npos ||
         type.find("footnotes+") != std::string::npos || type.find("comments+") != std::string::npos))
      parts.push_back(e.name);
    if (kind == "pptx" && type == "application/vnd.openxmlformats-officedocument.presentationml.slide+xml")
      parts.push_back(e.name);
  }
  // Slides in their numeric order (slide2 before slide10); the archive order is arbitrary.
  auto number = [](const std::string& s) {
    std::size_t i = s.size();
    while (i > 0 && (s[i - 1] < '0' || s[i - 1] > '9')) --i;
    std::size_t j = i;
    while (j > 0 && s[j - 1] >= '0' && s[j - 1] <= '9') --j;
    return i > j && i - j < 9 ? std::stoul(s.substr(j, i - j)) : 0ul;
  };
  if (kind == "pptx") std::stable_sort(parts.begin(), parts.end(), [&](auto& a, auto& b) { return number(a) < number(b); });
  return parts;
}

void document_text(Package& pkg, const std::string& main, const std::string& kind) {
  for (const std::string& part : text_parts(pkg, main, kind)) {
    if (pkg.stopped()) break;
    if (auto xml = pkg.read(part))
      if (!append_text(pkg.report, run_text(pkg, *xml), pkg.budget.limits())) break;
  }
}

// Files inside the package worth inspecting on their own: embedded files, and entries that are no part of
// the package at all (no content type declared for them, or a generic binary one), which Office does not
// need but an unzip tool would happily extract.
bool inspected_inside(const Package& pkg, const ZipEntry& e) {
  if (e.is_dir() || util::iequals(e.name, "[Content_Types].xml")) return false;
  if (e.name.find("/embeddings/") != std::string::npos) return true;
  const std::string type = pkg.content_type(e.name);
  return type.empty() || type == "application/octet-stream";
}

void inspect_embeddings(Package& pkg, int depth) {
  const auto& entries = pkg.zip.entries;
  if (std::none_of(entries.begin(), entries.end(), [&](const ZipEntry& e) { return inspected_inside(pkg, e); }) ||
      too_deep(pkg.report, depth, pkg.budget))
    return;
  for (const ZipEntry& e : entries) {
    if (!inspected_inside(pkg, e)) continue;
    if (pkg.budget.expired()) return mark_incomplete(pkg.report, "time", "embedded files not all inspected (time)");
    if (!pkg.budget.take_entry())
      return mark_incomplete(pkg.report, "entries", "embedded files not all inspected (max_entries)");
    EntryData d = read_entry(pkg.bytes, e, pkg.budget);
    FileReport c = inspect_child(pkg.report.name + "/" + e.name, d.bytes(), depth + 1, pkg.budget);
    adopt_entry_data(c, d);
    adopt_child(pkg.report, std::move(c));
  }
}

// The target of the package's officeDocument relationship (_rels/.rels), resolved; empty when none.
std::string office_document_target(Package& pkg) {
  std::string target;
  const auto xml = pkg.read("_rels/.rels");
  if (!xml) return target;
  scan_xml(*xml, {[&](const XmlTag& t) {
                    if (t.closing || t.local() != "Relationship" || !target.empty()) return;
                    const auto type = xml_attr(t.attrs, "Type");
                    const auto to = xml_attr(t.attrs, "Target");
                    if (type && to && std::string_view(*type).ends_with("/officeDocument")) target = resolve("", *to);
                  },
                  nullptr, nullptr});
  return target;
}

// The main document part, from the package's structure: the officeDocument relationship's target, else
// (packages written without _rels/.rels) the part [Content_Types].xml declares a main document type for.
// Either way it must be in the archive and have a main document content type; empty when there is none.
std::string main_part(Package& pkg) {
  const std::string target = office_document_target(pkg);
  if (const ZipEntry* e = target.empty() ? nullptr : find_entry(pkg.zip, target))
    if (!kind_of_main(pkg.content_type(e->name)).empty()) return e->name;
  for (const ZipEntry& e : pkg.zip.entries)
    if (!e.is_dir() && !kind_of_main(pkg.content_type(e.name)).empty()) return e.name;
  return {};
}

}  // namespace

bool inspect_ooxml(FileReport& r, std::string_view bytes, const ZipArchive& zip, int depth, Budget& budget) {
  Package pkg{bytes, zip, budget, r, {}, {}};
  read_content_types(pkg);
  const std::string main = main_part(pkg);
  if (main.empty()) return false;
  r.kind = kind_of_main(pkg.content_type(main));
  for (const ZipEntry& e : zip.entries) r.macros = r.macros || macro_part(e.name, pkg.content_type(e.name));
  if (r.kind == "docx" || r.kind == "pptx") {
    document_text(pkg, main, r.kind);
  } else if (r.kind == "xlsx") {
    const auto workbook = pkg.read(main);
    const auto rels = relationships(pkg, main);
    std::string shared;
    for (const ZipEntry& e : zip.entries)
      if (pkg.content_type(e.name).ends_with("spreadsheetml.sharedstrings+xml")) shared = e.name;
    if (workbook)
      workbook_text(r, *workbook, rels, [&](const std::string& p) { return pkg.read(p); },
                    [&]() { return shared.empty() ? std::nullopt : pkg.read(shared); }, budget);
  }
  inspect_embeddings(pkg, depth);
  return true;
}

}  // namespace preflight::inspect::detail
