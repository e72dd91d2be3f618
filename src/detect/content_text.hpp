// Private to the content checks (src/detect/content*.cpp only): the byte-level passes behind
// ContentScanner. nfkc_fast gives exactly util::nfkc's result but copies nothing when the text is already
// NFKC; the digit-token reader sees separators itself (instead of folding them first) so that it knows
// how digits were grouped, which is what tells a phone number or a postal code from other numbers.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace preflight::detect::content_text {

// NFKC of `utf8` (invalid bytes become U+FFFD, as util::nfkc does). Returns `utf8` itself when nothing
// changes, else a view of `storage`.
std::string_view nfkc_fast(std::string_view utf8, std::string& storage);

// Length of the digit separator at text[i] (ASCII space, '-', U+2010..U+2015, U+2212, U+30FC), or 0.
// Text is NFKC already, so U+FF0D has become '-' and U+3000 a space.
std::size_t separator_length(std::string_view text, std::size_t i);

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Index of the first ASCII digit or '@' at or after `from`; text.size() if none.
std::size_t find_digit_or_at(std::string_view text, std::size_t from);

// A maximal run of digit groups joined by single separators, e.g. "03-1234-5678" = groups {2, 4, 4}.
struct DigitToken {
  static constexpr int kMaxDigits = 19;  // the longest thing we classify (Visa 19); longer = "too long"
  static constexpr int kMaxGroups = 6;
  std::size_t begin = 0, end = 0;  // bytes [begin, end) in the text
  std::array<char, kMaxDigits> digits{};
  int ndigits = 0;                 // may exceed kMaxDigits (then digits holds only the first ones)
  std::array<std::uint8_t, kMaxGroups> groups{};
  int ngroups = 0;                 // may exceed kMaxGroups (then nothing matches)
  bool space_separated = false;    // some separator was a space rather than a hyphen-like mark

  std::string_view view() const { return {digits.data(), static_cast<std::size_t>(ndigits)}; }
  bool too_long() const { return ndigits > kMaxDigits || ngroups > kMaxGroups; }
  bool has_groups(int a, int b, int c = -1, int d = -1) const;
};

// Reads the token starting at digit text[i] (text[i - 1] is not a digit). Returns its end.
std::size_t read_digit_token(std::string_view text, std::size_t i, DigitToken& out);

// Checks for an address around the '@' at text[at]. Returns the index to resume scanning from and sets
// `found`.
std::size_t read_email(std::string_view text, std::size_t at, bool& found);

// What the number scanner found; my-number positions are kept for the context rule.
struct NumberFindings {
  std::int64_t corporate = 0, card = 0, phone = 0, postal = 0, email = 0;
  struct Span {
    std::size_t begin, end;
  };
  std::vector<Span> my_numbers;
};

// One pass over NFKC text: digit tokens (classified) and e-mail addresses.
void scan_numbers(std::string_view text, NumberFindings& out);

}  // namespace preflight::detect::content_text
