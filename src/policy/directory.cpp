// Directory file loading; see directory.hpp.
#include "directory.hpp"

#include <yaml-cpp/yaml.h>

#include <fstream>

#include "preflight/mail/address.hpp"
#include "preflight/util/strings.hpp"

namespace preflight::policy {

namespace {

constexpr const char* kColumns = "address, supervisor, deputy, delegate, department";

bool known_column(const std::string& c) {
  return c == "address" || c == "supervisor" || c == "deputy" || c == "delegate" || c == "department";
}

std::string at_line(int n) { return "line " + std::to_string(n) + ": "; }

// Sets one field of an entry; supervisor, deputy and delegate must be addresses (or empty). Returns an
// error text, empty when the value is fine.
std::string set_field(detect::DirectoryEntry& e, const std::string& column, const std::string& value) {
  if (column == "department") {
    e.department = value;
    return {};
  }
  std::string v = mail::mailbox_key(value);
  if (!v.empty() && v.find('@') == std::string::npos)
    return "'" + value + "' in " + column + " is not an address";
  if (column == "supervisor") e.supervisor = v;
  else if (column == "deputy") e.deputy = v;
  else if (column == "delegate") e.delegate = v;
  return {};
}

DirectoryResult load_csv(std::ifstream& in) {
  DirectoryResult r;
  std::string line;
  std::vector<std::string> columns;
  for (int n = 1; std::getline(in, line); ++n) {
    std::string_view t = util::trim(line);
    if (t.empty() || t.front() == '#') continue;
    auto cells = util::split(t, ',');
    for (auto& c : cells) c = util::to_lower(util::trim(c));
    if (columns.empty()) {
      columns = cells;
      if (columns.empty() || columns[0] != "address") return {{}, at_line(n) + "the header must start with 'address'"};
      for (const auto& c : columns)
        if (!known_column(c)) return {{}, at_line(n) + "unknown column '" + c + "' (columns: " + kColumns + ")"};
      continue;
    }
    detect::DirectoryEntry e;
    for (std::size_t i = columns.size(); i < cells.size(); ++i)
      if (!cells[i].empty()) return {{}, at_line(n) + "more cells than the header has columns"};
    for (std::size_t i = 1; i < cells.size() && i < columns.size(); ++i)
      if (std::string err = set_field(e, columns[i], cells[i]); !err.empty()) return {{}, at_line(n) + err};
    if (cells[0].find('@') == std::string::npos)
      return {{}, at_line(n) + "'" + cells[0] + "' is not an address"};
    r.entries[mail::mailbox_key(cells[0])] = e;
  }
  return r;
}

DirectoryResult load_yaml(const std::string& path) {
  DirectoryResult r;
  try {
    YAML::Node root = YAML::LoadFile(path);
    if (!root.IsSequence()) return {{}, std::string("expected a list of maps with the keys ") + kColumns};
    for (const auto& item : root) {
      int n = item.Mark().line + 1;
      if (!item.IsMap()) return {{}, at_line(n) + std::string("expected a map with the keys ") + kColumns};
      for (const auto& kv : item) {
        std::string key = kv.first.as<std::string>();
        if (!known_column(key))
          return {{}, at_line(kv.first.Mark().line + 1) + "unknown key '" + key + "' (keys: " + kColumns + ")"};
      }
      if (!item["address"]) return {{}, at_line(n) + "entry without address"};
      detect::DirectoryEntry e;
      for (const char* column : {"supervisor", "deputy", "delegate", "department"})
        if (const auto& v = item[column]; v && !v.IsNull())
          if (std::string err = set_field(e, column, v.as<std::string>()); !err.empty())
            return {{}, at_line(item[column].Mark().line + 1) + err};
      std::string address = mail::mailbox_key(item["address"].as<std::string>());
      if (address.find('@') == std::string::npos) return {{}, at_line(n) + "'" + address + "' is not an address"};
      r.entries[address] = e;
    }
  } catch (const YAML::Exception& e) {
    return {{}, "line " + std::to_string(e.mark.line + 1) + ": " + e.msg};
  }
  return r;
}

}  // namespace

DirectoryResult load_directory(const std::string& path) {
  std::ifstream in(path);
  if (!in) return {{}, "cannot read directory file"};
  if (path.ends_with(".yaml") || path.ends_with(".yml")) return load_yaml(path);
  return load_csv(in);
}

}  // namespace preflight::policy
