// A small streaming XML tag scanner for OOXML parts: reports start/end tags and character data in
// document order without building a tree, so part size only costs time, never memory. Not a validating
// parser: DTDs are skipped and no custom entity is ever expanded (no entity-expansion bombs).
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace preflight::inspect::detail {

struct XmlTag {
  std::string_view name;   // qualified name as written ("w:t")
  std::string_view attrs;  // raw attribute text
  bool closing = false;    // </name>
  bool self_closing = false;
  std::string_view local() const;  // name without its prefix ("t")
};

struct XmlHandler {
  std::function<void(const XmlTag&)> on_tag;
  std::function<void(std::string_view raw, bool cdata)> on_text;  // raw: entities still encoded unless cdata
  std::function<bool()> stop;  // polled now and then; true ends the scan early
};

void scan_xml(std::string_view xml, const XmlHandler& handler);

// Value of the attribute whose local name is `local` (prefix ignored), entities decoded.
std::optional<std::string> xml_attr(std::string_view attrs, std::string_view local);

// Appends character data with the predefined and numeric entities decoded.
void append_xml_text(std::string& out, std::string_view raw, bool cdata);

}  // namespace preflight::inspect::detail
