// Look-alike recipients: an external domain close to a known one. A recipient host resembles a known host
// when their organisational domains differ and: the registrable label is the same under another public
// suffix (`suffix`: example.com / example.co.jp), the labels differ only in confusable characters
// (`confusable`: rn/m, l/1/I, 0/o, Cyrillic and Greek letters that look Latin), the whole names differ only
// in dots and hyphens (`dot-hyphen`: client-example.com / client.example.com, example-co.jp /
// example.co.jp), or the labels are one or two edits apart (`typo`: Damerau-Levenshtein). A subdomain of
// the same organisational domain is never a look-alike; two free-mail providers are never look-alikes of
// each other (gmail.com / hotmail.com), a look-alike of one is (gmai1.com). An IDN label mixing scripts is
// `mixed-script` whatever is known. Pure functions; DomainIndex answers the same as find_lookalikes(),
// without scanning.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace preflight::detect {

// Optimal-string-alignment distance (insertions, deletions, substitutions, adjacent transpositions) over
// Unicode code points.
int edit_distance(std::string_view a, std::string_view b);

// The label before the public suffix: "example" for "mail.example.co.jp"; the Unicode form for IDN.
std::string registrable_label(const std::string& domain);

// Folds characters that look alike ("rn"→"m", "1"/"I"→"l", "0"→"o", Cyrillic "а"→"a" …) for comparison.
std::string confusable_skeleton(std::string_view text);

// True when an IDN domain mixes scripts in one label (Latin with Cyrillic/Greek …).
bool mixed_script(const std::string& domain);

// True when the organisational domain of `domain` is a free-mail provider (gmail.com, docomo.ne.jp …).
bool is_free_mail(const std::string& domain);

struct LookAlike {
  std::string domain;  // the recipient's organisational domain
  std::string known;   // the known domain it resembles (its organisational domain; the host for dot-hyphen)
  std::string how;     // "typo", "suffix", "confusable", "dot-hyphen", "mixed-script"
};

// One domain name taken apart for comparison.
struct DomainName {
  std::string host;                    // normalised (lower-case, IDN as punycode)
  std::string org, label, suffix;      // organisational domain = label (Unicode) + "." + public suffix
  std::string skeleton;                // confusable_skeleton(label)
  std::vector<std::string> ancestors;  // host, its parents, ..., org
  std::vector<std::string> folds;      // the ancestors with dots as hyphens
  std::u32string label_points;
  bool free_mail = false;
};
DomainName domain_name(const std::string& host);

// How `recipient` resembles `known`: `how` is empty when it does not.
LookAlike resemblance(const DomainName& recipient, const DomainName& known);

// The reference definition: compares one host with every known host or organisational domain, one by one.
// Empty when its organisational domain is known itself. Sorted by known domain, then how.
std::vector<LookAlike> find_lookalikes(const std::string& host, const std::vector<std::string>& known);

// Known domains indexed for look-alike queries whose cost does not grow with their number: by label,
// confusable skeleton, dot/hyphen fold and the deletion neighbourhood of the label (symmetric delete, one
// or two deletions), each candidate confirmed by resemblance(). Built once, then read-only (thread-safe).
class DomainIndex {
 public:
  DomainIndex() = default;
  explicit DomainIndex(const std::vector<std::string>& known);
  // `base` and `added` as one index, sharing `base` (read-only) instead of building it again: a few new
  // domains cost their own indexing, not the whole list's.
  DomainIndex(std::shared_ptr<const DomainIndex> base, const std::vector<std::string>& added);

  // An indexed domain has this organisational domain.
  bool knows(const std::string& org_domain) const {
    return orgs_.count(org_domain) > 0 || (base_ && base_->knows(org_domain));
  }
  // Exactly find_lookalikes(host, known).
  std::vector<LookAlike> find(const std::string& host) const;
  std::size_t size() const { return names_.size() + (base_ ? base_->size() : 0); }

 private:
  using Ids = std::vector<std::uint32_t>;
  // This layer's candidates for `q` (not the base's), unsorted.
  void find_here(const DomainName& q, std::vector<LookAlike>& out) const;
  std::shared_ptr<const DomainIndex> base_;
  std::vector<DomainName> names_;
  std::unordered_set<std::string> orgs_;
  std::unordered_map<std::string, Ids> by_label_, by_skeleton_, by_fold_;
  std::vector<std::pair<std::uint64_t, std::uint32_t>> deletions_;  // (hash of a deletion variant, id), sorted
};

}  // namespace preflight::detect
