// ContentScanner: the keyword sets and the 個人番号 context words are compiled once into one Hyperscan
// literal database, so each text is searched for all of them in a single pass; numbers and e-mail
// addresses come from the hand-written pass in content_numbers.cpp over the same NFKC text.
//
// Thread safety: the database is immutable; each scan borrows a Hyperscan scratch from a small pool
// (cloned from a prototype on demand, kept until the scanner dies), so concurrent scans never share one.
// Throws std::runtime_error from the constructor if Hyperscan cannot compile the words.
#include "preflight/detect/content.hpp"

#include <hs.h>

#include <algorithm>
#include <array>
#include <climits>
#include <mutex>
#include <stdexcept>

#include "content_text.hpp"

namespace preflight::detect {

namespace {

// Words that make a valid 12-digit number a 個人番号 (matched case-insensitively after NFKC).
constexpr std::array<std::string_view, 4> kContextWords{"個人番号", "マイナンバー", "my number", "mynumber"};
constexpr std::size_t kLongestContextWord = 18;  // マイナンバー in UTF-8
// How near (in bytes of normalised text) a context word must be to a number, either side.
constexpr std::size_t kContextReach = 200;
// From this many valid numbers on, the text is a list of them and context is not needed.
constexpr std::size_t kListSize = 3;

struct Span {
  std::size_t begin, end;
};

// Collected while Hyperscan reports matches (in order of end offset).
struct MatchState {
  const std::vector<int>* set_of = nullptr;       // pattern id -> keyword set index, -1 = context word
  const std::vector<std::size_t>* length_of = nullptr;
  std::vector<std::int64_t> hits;                 // per keyword set
  std::vector<std::size_t> last_end;              // per keyword set: overlapping words count once
  std::vector<Span> context;
  std::size_t base = 0;                           // offset of the block being searched
  bool failed = false;                            // hs_scan returned an error
};

int on_match(unsigned id, unsigned long long, unsigned long long to, unsigned, void* ctx) {
  auto& st = *static_cast<MatchState*>(ctx);
  const std::size_t end = st.base + static_cast<std::size_t>(to);
  const std::size_t begin = end - (*st.length_of)[id];
  const int set = (*st.set_of)[id];
  if (set < 0) {
    st.context.push_back({begin, end});
  } else if (begin >= st.last_end[static_cast<std::size_t>(set)]) {
    ++st.hits[static_cast<std::size_t>(set)];
    st.last_end[static_cast<std::size_t>(set)] = end;
  }
  return 0;  // keep scanning
}

bool near_context(const std::vector<Span>& context, const content_text::NumberFindings::Span& n) {
  // `context` is sorted by end; skip words ending too far before the number.
  const std::size_t from = n.begin > kContextReach ? n.begin - kContextReach : 0;
  auto it = std::lower_bound(context.begin(), context.end(), from, [](const Span& s, std::size_t v) { return s.end < v; });
  // Context words are at most kLongestContextWord bytes, so later ones cannot start within reach.
  for (; it != context.end() && it->end <= n.end + kContextReach + kLongestContextWord; ++it)
    if (it->begin <= n.end + kContextReach) return true;
  return false;
}

std::int64_t count_my_numbers(const std::vector<content_text::NumberFindings::Span>& numbers,
                              const std::vector<Span>& context) {
  if (numbers.size() >= kListSize) return static_cast<std::int64_t>(numbers.size());
  return std::count_if(numbers.begin(), numbers.end(), [&](const auto& n) { return near_context(context, n); });
}

}  // namespace

ContentCounts& ContentCounts::operator+=(const ContentCounts& o) {
  my_number += o.my_number;
  my_number_candidates += o.my_number_candidates;
  corporate_number += o.corporate_number;
  card_number += o.card_number;
  phone += o.phone;
  postal_code += o.postal_code;
  email_address += o.email_address;
  for (const auto& [name, n] : o.keywords) keywords[name] += n;
  scan_failed = scan_failed || o.scan_failed;
  return *this;
}

ContentCounts& ContentCounts::take_max(const ContentCounts& o) {
  my_number = std::max(my_number, o.my_number);
  my_number_candidates = std::max(my_number_candidates, o.my_number_candidates);
  corporate_number = std::max(corporate_number, o.corporate_number);
  card_number = std::max(card_number, o.card_number);
  phone = std::max(phone, o.phone);
  postal_code = std::max(postal_code, o.postal_code);
  email_address = std::max(email_address, o.email_address);
  for (const auto& [name, n] : o.keywords) keywords[name] = std::max(keywords[name], n);
  scan_failed = scan_failed || o.scan_failed;
  return *this;
}

struct ContentScanner::Impl {
  std::vector<std::string> set_names;
  std::vector<int> set_of;               // per pattern id
  std::vector<std::size_t> length_of;    // per pattern id (bytes, after NFKC)
  hs_database_t* db = nullptr;
  hs_scratch_t* prototype = nullptr;
  mutable std::mutex pool_mutex;
  mutable std::vector<hs_scratch_t*> pool;

  explicit Impl(const std::vector<KeywordSet>& sets);
  ~Impl();
  void compile(const std::vector<std::string>& words);
  hs_scratch_t* borrow() const;
  void give_back(hs_scratch_t* s) const;
  void search(std::string_view text, MatchState& st) const;
};

ContentScanner::Impl::Impl(const std::vector<KeywordSet>& sets) {
  std::vector<std::string> words;
  const auto add = [&](std::string_view word, int set) {
    std::string storage;
    const std::string_view w = content_text::nfkc_fast(word, storage);
    if (w.empty()) return;
    words.emplace_back(w);
    set_of.push_back(set);
    length_of.push_back(w.size());
  };
  for (std::string_view w : kContextWords) add(w, -1);
  for (const KeywordSet& s : sets) {
    set_names.push_back(s.name);
    for (const std::string& w : s.words) add(w, static_cast<int>(set_names.size() - 1));
  }
  compile(words);
}

void ContentScanner::Impl::compile(const std::vector<std::string>& words) {
  std::vector<const char*> exprs;
  std::vector<unsigned> flags(words.size(), HS_FLAG_CASELESS), ids;
  for (std::size_t i = 0; i < words.size(); ++i) exprs.push_back(words[i].c_str()), ids.push_back(static_cast<unsigned>(i));
  hs_compile_error_t* err = nullptr;
  if (hs_compile_lit_multi(exprs.data(), flags.data(), ids.data(), length_of.data(), static_cast<unsigned>(words.size()),
                           HS_MODE_BLOCK, nullptr, &db, &err) != HS_SUCCESS) {
    const std::string msg = err && err->message ? err->message : "unknown error";
    hs_free_compile_error(err);
    throw std::runtime_error("content scanner: cannot compile keywords: " + msg);
  }
  if (hs_alloc_scratch(db, &prototype) != HS_SUCCESS) {
    hs_free_database(db);
    throw std::runtime_error("content scanner: cannot allocate Hyperscan scratch");
  }
}

ContentScanner::Impl::~Impl() {
  for (hs_scratch_t* s : pool) hs_free_scratch(s);
  hs_free_scratch(prototype);
  hs_free_database(db);
}

hs_scratch_t* ContentScanner::Impl::borrow() const {
  {
    std::lock_guard lock(pool_mutex);
    if (!pool.empty()) {
      hs_scratch_t* s = pool.back();
      pool.pop_back();
      return s;
    }
  }
  hs_scratch_t* s = nullptr;
  if (hs_clone_scratch(prototype, &s) != HS_SUCCESS) throw std::bad_alloc();
  return s;
}

void ContentScanner::Impl::give_back(hs_scratch_t* s) const {
  std::lock_guard lock(pool_mutex);
  pool.push_back(s);
}

void ContentScanner::Impl::search(std::string_view text, MatchState& st) const {
  hs_scratch_t* scratch = borrow();
  // hs_scan takes an unsigned length; texts past 4 GiB (never a mail) are searched in blocks.
  constexpr std::size_t kBlock = UINT_MAX;
  std::size_t off = 0;
  do {
    const std::size_t len = std::min(kBlock, text.size() - off);
    st.base = off;
    if (hs_scan(db, text.data() + off, static_cast<unsigned>(len), 0, scratch, on_match, &st) != HS_SUCCESS) {
      st.failed = true;  // on_match never stops the scan, so any other answer is an error
      break;
    }
    off += len;
  } while (off < text.size());
  if (st.failed) hs_free_scratch(scratch);  // its state is unknown: not reused
  else give_back(scratch);
}

ContentScanner::ContentScanner(std::vector<KeywordSet> keyword_sets) : impl_(std::make_unique<Impl>(keyword_sets)) {}
ContentScanner::~ContentScanner() = default;

ContentCounts ContentScanner::scan(std::string_view utf8) const {
  std::string storage;
  const std::string_view text = content_text::nfkc_fast(utf8, storage);

  MatchState st;
  st.set_of = &impl_->set_of;
  st.length_of = &impl_->length_of;
  st.hits.assign(impl_->set_names.size(), 0);
  st.last_end.assign(impl_->set_names.size(), 0);
  impl_->search(text, st);

  content_text::NumberFindings nums;
  content_text::scan_numbers(text, nums);

  ContentCounts c;
  c.my_number_candidates = static_cast<std::int64_t>(nums.my_numbers.size());
  c.my_number = count_my_numbers(nums.my_numbers, st.context);
  c.corporate_number = nums.corporate;
  c.card_number = nums.card;
  c.phone = nums.phone;
  c.postal_code = nums.postal;
  c.email_address = nums.email;
  c.scan_failed = st.failed;
  for (std::size_t i = 0; i < st.hits.size(); ++i)
    if (st.hits[i] > 0) c.keywords[impl_->set_names[i]] += st.hits[i];
  return c;
}

}  // namespace preflight::detect
