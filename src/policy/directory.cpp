// Directory file loading; see directory.hpp.
#include "directory.hpp"

#include <yaml-cpp/yaml.h>

#include <fstream>

#include "preflight/util/strings.hpp"

namespace preflight::policy {

namespace {

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
      if (columns.empty() || columns[0] != "address") return {{}, "line " + std::to_string(n) + ": the header must start with 'address'"};
      continue;
    }
    detect::DirectoryEntry e;
    for (std::size_t i = 1; i < cells.size() && i < columns.size(); ++i) {
      if (columns[i] == "supervisor") e.supervisor = cells[i];
      else if (columns[i] == "deputy") e.deputy = cells[i];
      else if (columns[i] == "delegate") e.delegate = cells[i];
      else if (columns[i] == "department") e.department = cells[i];
    }
    if (cells[0].find('@') == std::string::npos)
      return {{}, "line " + std::to_string(n) + ": '" + cells[0] + "' is not an address"};
    r.entries[cells[0]] = e;
  }
  return r;
}

DirectoryResult load_yaml(const std::string& path) {
  DirectoryResult r;
  try {
    YAML::Node root = YAML::LoadFile(path);
    if (!root.IsSequence()) return {{}, "expected a list of {address, supervisor, deputy, department}"};
    for (const auto& item : root) {
      if (!item["address"]) return {{}, "line " + std::to_string(item.Mark().line + 1) + ": entry without address"};
      detect::DirectoryEntry e;
      if (item["supervisor"]) e.supervisor = util::to_lower(item["supervisor"].as<std::string>());
      if (item["deputy"]) e.deputy = util::to_lower(item["deputy"].as<std::string>());
      if (item["delegate"]) e.delegate = util::to_lower(item["delegate"].as<std::string>());
      if (item["department"]) e.department = item["department"].as<std::string>();
      r.entries[util::to_lower(item["address"].as<std::string>())] = e;
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
