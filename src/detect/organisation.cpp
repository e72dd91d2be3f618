// Domain classification with the Public Suffix List and IDN; see organisation.hpp.
#include "preflight/detect/organisation.hpp"

#include <idn2.h>
#include <libpsl.h>

#include <algorithm>
#include <cstdlib>
#include <unordered_map>

#include "preflight/util/strings.hpp"

namespace preflight::detect {

namespace {
const psl_ctx_t* psl() {
  // psl_latest() picks the newer of the built-in list and the system file (package publicsuffix).
  static const psl_ctx_t* ctx = [] {
    const psl_ctx_t* c = psl_latest(nullptr);
    return c ? c : psl_builtin();
  }();
  return ctx;
}
}  // namespace

std::string normalise_domain(const std::string& domain) {
  std::string d = util::to_lower(util::trim(domain));
  if (!d.empty() && d.back() == '.') d.pop_back();
  bool ascii = true;
  for (unsigned char c : d) ascii = ascii && c < 0x80;
  if (ascii) return d;
  char* out = nullptr;
  if (idn2_to_ascii_8z(d.c_str(), &out, IDN2_NONTRANSITIONAL) == IDN2_OK && out) {
    std::string ace = out;
    idn2_free(out);
    return ace;
  }
  return d;
}

// The answers are kept per thread (a mail asks about the same few domains many times, and the Public
// Suffix List look-up costs more than a hash look-up); the memo is emptied when it reaches 50,000.
std::string organisational_domain(const std::string& domain) {
  thread_local std::unordered_map<std::string, std::string> memo;
  if (auto it = memo.find(domain); it != memo.end()) return it->second;
  std::string d = normalise_domain(domain);
  const psl_ctx_t* ctx = psl();
  const char* reg = ctx ? psl_registrable_domain(ctx, d.c_str()) : nullptr;
  std::string org = reg ? std::string(reg) : d;
  if (memo.size() >= 50000) memo.clear();
  memo.emplace(domain, org);
  return org;
}

bool is_public_suffix(const std::string& domain) {
  std::string d = normalise_domain(domain);
  const psl_ctx_t* ctx = psl();
  return ctx && psl_is_public_suffix(ctx, d.c_str());
}

std::vector<std::string> Organisation::own_domains() const {
  std::vector<std::string> out = internal_domains;
  for (const auto& p : partners) out.insert(out.end(), p.domains.begin(), p.domains.end());
  return out;
}

namespace {
// Already what normalise_domain makes of it: lower-case ASCII letters, digits, '-', '.' and '_', no
// trailing dot (the common case: a domain the parser lower-cased).
bool normalised(std::string_view d) {
  if (d.empty() || d.back() == '.') return false;
  return std::all_of(d.begin(), d.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
  });
}
}  // namespace

bool Organisation::is_internal(const std::string& domain) const {
  std::string storage;
  std::string_view d = domain;
  if (!normalised(d)) d = storage = normalise_domain(domain);
  for (const auto& internal : internal_domains) {
    if (d == internal) return true;
    if (d.size() > internal.size() && d.compare(d.size() - internal.size(), internal.size(), internal) == 0 &&
        d[d.size() - internal.size() - 1] == '.')
      return true;
  }
  return false;
}

bool glob_match(const std::string& pattern, const std::string& text) {
  const std::string& p = pattern;
  const std::string& t = text;
  auto same = [](char a, char b) { return util::ascii_lower(a) == util::ascii_lower(b); };
  std::size_t pi = 0, ti = 0, star = std::string::npos, mark = 0;
  while (ti < t.size()) {
    if (pi < p.size() && (p[pi] == '?' || same(p[pi], t[ti]))) {
      ++pi, ++ti;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++, mark = ti;
    } else if (star != std::string::npos) {
      pi = star + 1, ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

}  // namespace preflight::detect
