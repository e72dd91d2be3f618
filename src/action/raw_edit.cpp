// Header edits on raw message bytes, and their JSON form; see plan.hpp. Used when a held message is
// released: the MTA's copy was discarded, so preflight applies the edits itself before re-injection.
#include <nlohmann/json.hpp>

#include "preflight/action/plan.hpp"
#include "preflight/util/strings.hpp"

namespace preflight::action {

namespace {

struct Field {
  std::string name;
  std::string text;  // the whole field with its continuation lines and line ends
  bool deleted = false;
};

// Splits the header block into fields; returns the offset where the blank line before the body starts.
std::size_t split_header(std::string_view raw, std::vector<Field>& fields) {
  std::size_t pos = 0;
  while (pos < raw.size()) {
    std::size_t eol = raw.find('\n', pos);
    std::size_t next = eol == std::string_view::npos ? raw.size() : eol + 1;
    std::string_view line = raw.substr(pos, next - pos);
    if (line == "\n" || line == "\r\n") return pos;
    if ((line[0] == ' ' || line[0] == '\t') && !fields.empty()) {
      fields.back().text.append(line);
    } else {
      std::size_t colon = line.find(':');
      fields.push_back({std::string(util::trim(line.substr(0, colon == std::string_view::npos ? 0 : colon))),
                        std::string(line)});
    }
    pos = next;
  }
  return raw.size();
}

Field* find(std::vector<Field>& fields, const std::string& name, int index) {
  int seen = 0;
  for (auto& f : fields)
    if (util::iequals(f.name, name) && ++seen == index) return &f;
  return nullptr;
}

}  // namespace

std::string apply_edits(std::string_view raw, const std::vector<HeaderEdit>& edits) {
  std::vector<Field> fields;
  std::size_t body_at = split_header(raw, fields);
  std::string added;
  for (const auto& e : edits) {
    std::string line = e.name + ": " + e.value + "\r\n";
    if (e.kind == HeaderEdit::Kind::Add) {
      added += line;
    } else if (Field* f = find(fields, e.name, e.index)) {
      if (e.kind == HeaderEdit::Kind::Delete) f->deleted = true;
      else f->text = line;
    }
  }
  std::string out;
  out.reserve(raw.size() + added.size());
  for (const auto& f : fields)
    if (!f.deleted) out += f.text;
  out += added;
  out.append(raw.substr(body_at));
  return out;
}

std::string edits_to_json(const std::vector<HeaderEdit>& edits) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& e : edits)
    j.push_back({{"kind", static_cast<int>(e.kind)}, {"name", e.name}, {"index", e.index}, {"value", e.value}});
  // plan() writes ASCII values; should bytes that are not UTF-8 ever reach here, they are replaced
  // rather than thrown on, so that no message is tempfailed for ever over its header text.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<std::vector<HeaderEdit>> edits_from_json(const std::string& json) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_array()) return std::nullopt;
  std::vector<HeaderEdit> out;
  for (const auto& e : j) {
    if (!e.is_object() || !e.contains("kind") || !e.contains("name")) return std::nullopt;
    int kind = e.value("kind", 0);
    if (kind < 0 || kind > 2) return std::nullopt;
    out.push_back({static_cast<HeaderEdit::Kind>(kind), e.value("name", ""), e.value("index", 0), e.value("value", "")});
  }
  return out;
}

}  // namespace preflight::action
