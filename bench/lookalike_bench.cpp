// Cost of a look-alike check per external domain, with 1,000 and 20,000 known domains: the linear scan
// that compared every known label with an allocating edit distance (what history_facts did per message
// before the index), and DomainIndex::find (built once per known-domain refresh; its build time is shown
// too). Known domains are generated labels under .co.jp/.com/.jp/.ne.jp, a quarter with a subdomain;
// queries are a mix of mutated known names (typos, confusables, dots, suffixes) and unrelated domains.
// Built with the project, run by hand; see bench/README.md.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "preflight/detect/lookalike.hpp"
#include "preflight/detect/organisation.hpp"

namespace detect = preflight::detect;

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

std::string word(std::mt19937& rng, int min, int max) {
  static const char letters[] = "abcdefghijklmnoprstuwy";
  std::string w;
  for (int n = min + static_cast<int>(rng() % (max - min + 1)); n > 0; --n) w += letters[rng() % (sizeof letters - 1)];
  return w;
}

const char* const kSuffixes[] = {"co.jp", "com", "jp", "ne.jp", "or.jp", "net"};

std::vector<std::string> known_domains(std::mt19937& rng, int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i)
    out.push_back((rng() % 4 == 0 ? word(rng, 3, 6) + "." : "") + word(rng, 4, 14) + "." + kSuffixes[rng() % 6]);
  return out;
}

std::vector<std::string> queries(std::mt19937& rng, const std::vector<std::string>& known, int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    std::string q = known[rng() % known.size()];
    switch (i % 4) {
      case 0: q = word(rng, 4, 14) + ".co.jp"; break;
      case 1: q[rng() % q.find('.')] = 'x'; break;
      case 2: q = q.substr(0, q.find('.')) + ".com"; break;
      default: std::replace(q.begin(), q.end(), '.', '-'), q += ".jp";
    }
    out.push_back(q);
  }
  return out;
}

// The scan the index replaced: every known domain, label by label, with an allocating edit distance.
std::size_t linear_scan(const std::string& domain, const std::vector<std::string>& known) {
  std::size_t found = 0;
  std::string org = detect::organisational_domain(domain);
  std::string label = detect::registrable_label(org), skeleton = detect::confusable_skeleton(label);
  for (const auto& k : known) {
    std::string klabel = detect::registrable_label(k);
    if (klabel == label) {
      found += k != org;
    } else if (detect::confusable_skeleton(klabel) == skeleton) {
      ++found;
    } else {
      int limit = std::min(label.size(), klabel.size()) >= 6 ? 2 : 1;
      found += std::max(label.size(), klabel.size()) >= 4 && detect::edit_distance(label, klabel) <= limit;
    }
  }
  return found;
}

void run(int n_known) {
  std::mt19937 rng(42);
  auto known = known_domains(rng, n_known);
  auto qs = queries(rng, known, n_known >= 20000 ? 200 : 1000);
  auto t = Clock::now();
  std::size_t found = 0;
  for (const auto& q : qs) found += linear_scan(q, known) > 0;
  double scan_ms = ms_since(t) / static_cast<double>(qs.size());
  t = Clock::now();
  detect::DomainIndex index(known);
  double build_ms = ms_since(t);
  std::size_t indexed_found = 0;
  for (const auto& q : qs) indexed_found += !index.find(q).empty();
  auto many = qs;
  while (many.size() < 20000) many.insert(many.end(), qs.begin(), qs.end());
  t = Clock::now();
  std::size_t answers = 0;
  for (const auto& q : many) answers += index.find(q).size();
  double index_ms = ms_since(t) / static_cast<double>(many.size());
  std::printf("%6d known, %zu queries: scan %8.3f ms/domain (%zu resemble)  index %7.4f ms/domain (%zu resemble, "
              "%zu answers in %zu runs)  build %7.1f ms\n",
              n_known, qs.size(), scan_ms, found, index_ms, indexed_found, answers, many.size(), build_ms);
}

}  // namespace

int main() {
  for (int n : {1000, 20000}) run(n);
  return 0;
}
