// Private to the look-alike checks (src/detect/lookalike.cpp, domain_index.cpp): code points and the
// edit distance both the reference scan and the index confirm candidates with.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "preflight/detect/lookalike.hpp"

namespace preflight::detect::lookalike_text {

// UTF-8 to code points; an invalid byte stands for itself.
std::u32string code_points(std::string_view utf8);

// Optimal-string-alignment distance; allocates nothing for labels of up to 63 code points.
int osa_distance(std::u32string_view a, std::u32string_view b);

// Sorted by known domain, then how; duplicates removed.
void sort_unique(std::vector<LookAlike>& v);

}  // namespace preflight::detect::lookalike_text
