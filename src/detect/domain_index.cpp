// Known domains indexed for look-alike queries; see lookalike.hpp.
#include <algorithm>

#include "lookalike_text.hpp"
#include "preflight/detect/lookalike.hpp"

namespace preflight::detect {

namespace {

// FNV-1a over the code points of `s`, skipping positions `skip1` and `skip2` (npos: none).
std::uint64_t hash_without(const std::u32string& s, std::size_t skip1, std::size_t skip2) {
  std::uint64_t h = 1469598103934665603ull;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i == skip1 || i == skip2) continue;
    for (int shift = 0; shift < 32; shift += 8) h = (h ^ ((s[i] >> shift) & 0xff)) * 1099511628211ull;
  }
  return h;
}

// The label itself and every string made by deleting one code point, or two from labels of six or more:
// two labels within the typo limit (two edits only when both have six or more) share one of these.
template <typename F>
void deletion_neighbourhood(const std::u32string& label, F&& each) {
  constexpr std::size_t none = std::u32string::npos;
  each(hash_without(label, none, none));
  for (std::size_t i = 0; i < label.size(); ++i) {
    each(hash_without(label, i, none));
    if (label.size() >= 6)
      for (std::size_t j = i + 1; j < label.size(); ++j) each(hash_without(label, i, j));
  }
}

template <typename Map>
void add_ids(const Map& map, const std::string& key, std::vector<std::uint32_t>& out) {
  if (auto it = map.find(key); it != map.end()) out.insert(out.end(), it->second.begin(), it->second.end());
}

}  // namespace

DomainIndex::DomainIndex(const std::vector<std::string>& known) {
  for (const auto& k : known) {
    DomainName n = domain_name(k);
    orgs_.insert(n.org);
    if (n.label.empty()) continue;
    auto id = static_cast<std::uint32_t>(names_.size());
    by_label_[n.label].push_back(id);
    by_skeleton_[n.skeleton].push_back(id);
    for (const auto& f : n.folds) by_fold_[f].push_back(id);
    deletion_neighbourhood(n.label_points, [&](std::uint64_t h) { deletions_.emplace_back(h, id); });
    names_.push_back(std::move(n));
  }
  std::sort(deletions_.begin(), deletions_.end());
  deletions_.erase(std::unique(deletions_.begin(), deletions_.end()), deletions_.end());
  deletions_.shrink_to_fit();
}

DomainIndex::DomainIndex(std::shared_ptr<const DomainIndex> base, const std::vector<std::string>& added)
    : DomainIndex(added) {
  base_ = std::move(base);
}

void DomainIndex::find_here(const DomainName& q, std::vector<LookAlike>& out) const {
  std::vector<std::uint32_t> ids;
  add_ids(by_label_, q.label, ids);
  add_ids(by_skeleton_, q.skeleton, ids);
  for (const auto& f : q.folds) add_ids(by_fold_, f, ids);
  deletion_neighbourhood(q.label_points, [&](std::uint64_t h) {
    auto range = std::equal_range(deletions_.begin(), deletions_.end(), std::pair<std::uint64_t, std::uint32_t>{h, 0},
                                  [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto it = range.first; it != range.second; ++it) ids.push_back(it->second);
  });
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  for (auto id : ids)
    if (LookAlike l = resemblance(q, names_[id]); !l.how.empty()) out.push_back(std::move(l));
}

std::vector<LookAlike> DomainIndex::find(const std::string& host) const {
  DomainName q = domain_name(host);
  std::vector<LookAlike> out;
  if (knows(q.org)) return out;
  if (mixed_script(q.org)) out.push_back({q.org, "", "mixed-script"});
  if (q.label.empty()) return out;
  for (const DomainIndex* layer = this; layer; layer = layer->base_.get()) layer->find_here(q, out);
  lookalike_text::sort_unique(out);
  return out;
}

}  // namespace preflight::detect
