// Look-alike recipients: an external domain close to a known one (typo by Damerau-Levenshtein on the
// registrable label, swapped public suffix such as .co.jp/.com/.jp/.ne.jp, confusable characters rn/m,
// l/1/I, 0/o, Cyrillic and Greek letters that look Latin, IDN labels mixing scripts), and a local part one
// or two edits from a known address at the same domain. Pure functions.
#pragma once
#include <string>
#include <string_view>
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

struct LookAlike {
  std::string domain;  // the recipient's organisational domain
  std::string known;   // the known organisational domain it resembles
  std::string how;     // "typo", "suffix", "confusable", "mixed-script"
};

// Compares one organisational domain with the known ones; empty when it is known itself or resembles none.
std::vector<LookAlike> find_lookalikes(const std::string& domain, const std::vector<std::string>& known);

}  // namespace preflight::detect
