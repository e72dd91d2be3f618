// The text of a held message as an approver reviews it: every text part (HTML reduced to text by
// html_to_text, never rendered), each cut at a size limit with the cut marked, and whether the text/plain
// and text/html alternatives of one multipart/alternative say materially different things.
//
// "Materially different" (both directions, after NFKC and ASCII lower-casing; the HTML side also counts
// the http(s) and mailto: targets of its links, which its reduced text does not show):
//   - a URL, a mail address or a number of three or more digits ("1,234,000" is 1234000) that only one of
//     the two shows, or
//   - word sets that overlap by less than 80 % (Jaccard; words are runs of ASCII letters and digits that
//     do not start with a digit and, for Japanese and other non-ASCII text, pairs of adjacent characters),
//     once both have 5 words or more.
// Pure functions, no GMime types, thread-safe.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "preflight/mail/message.hpp"

namespace preflight::mail {

struct ReviewText {
  std::string content_type;    // "text/plain", "text/html", ...
  std::string text;            // the (reduced) text, at most the limit in bytes, cut between characters
  std::size_t full_bytes = 0;  // bytes of the whole (reduced) text
  bool truncated() const { return text.size() < full_bytes; }
};

struct Review {
  std::vector<ReviewText> texts;         // every text part, in document order
  std::vector<std::string> differences;  // e.g. "only in text/html: 9876543"; empty when they agree
};

// Every text part of `m`, each cut at `limit` bytes, and the differences between alternatives.
Review review_texts(const Message& m, std::size_t limit);

// Why a text/plain alternative and a text/html one (its source) differ materially; empty when they agree.
std::vector<std::string> alternative_differences(std::string_view plain, std::string_view html_source);

// The mark after a cut text: "… (truncated at 64 KiB of 210 KiB)", or in Japanese
// "…（64 KiB で省略、全体 210 KiB）".
std::string truncation_mark(std::size_t shown_bytes, std::size_t full_bytes, bool japanese);

}  // namespace preflight::mail
