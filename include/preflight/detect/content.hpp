// Content checks: personal and confidential data in text (subject, body, attachment names, attachment
// text). Text is normalised first (NFKC: full-width digits and letters; common separators such as spaces,
// hyphens, 「ー」 and 「－」 between digits), then scanned once by a multi-pattern engine compiled when the
// policy is loaded. Findings are counts, so that one number and a list of 500 rows are told apart.
// A ContentScanner is immutable after construction and safe to share between threads.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "preflight/mail/message.hpp"

namespace preflight::detect {

struct KeywordSet {
  std::string name;                 // e.g. "confidential"
  std::vector<std::string> words;   // e.g. 社外秘, 機密, 極秘, 取扱注意, Confidential (case-insensitive, NFKC)
};

struct ContentCounts {
  std::int64_t my_number = 0;          // 12-digit 個人番号 with a valid check digit, counted only when a context
                                       // word (個人番号, マイナンバー, My Number) is near or there are ≥ 3 of them
  std::int64_t my_number_candidates = 0;  // valid check digit, whether or not in context
  std::int64_t corporate_number = 0;   // 13-digit 法人番号 with a valid (leading) check digit
  std::int64_t card_number = 0;        // payment card: issuer prefix + length + Luhn
  std::int64_t phone = 0;              // Japanese phone numbers (mobile 0[789]0-NNNN-NNNN, fixed 0N-NNNN-NNNN forms)
  std::int64_t postal_code = 0;        // 〒NNN-NNNN / NNN-NNNN
  std::int64_t email_address = 0;      // e-mail addresses in the text
  std::map<std::string, std::int64_t> keywords;  // keyword set name -> hits (only sets with hits)
  bool scan_failed = false;            // the keyword scan reported an error: the counts may be too low

  ContentCounts& operator+=(const ContentCounts& o);
  ContentCounts& take_max(const ContentCounts& o);  // each count (and keyword set) the larger of the two
};

// NFKC plus digit-separator folding, as the scanner sees text (exposed for tests).
std::string normalise_text(std::string_view utf8);

class ContentScanner {
 public:
  explicit ContentScanner(std::vector<KeywordSet> keyword_sets);
  ~ContentScanner();
  ContentScanner(const ContentScanner&) = delete;
  ContentScanner& operator=(const ContentScanner&) = delete;

  // Scans UTF-8 text (normalises it itself). Safe from several threads at once.
  ContentCounts scan(std::string_view utf8) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A message's body texts counted by whose words they are (mail/layers.hpp). Each text part is split into
// the sender's own words (forwarded text included), quoted text, and signature/disclaimer blocks; HTML is
// reduced to text first. The renderings of one multipart/alternative (text/plain and text/html) are one
// text: each count is taken once, the larger of the alternatives, so words hidden only in the HTML are
// still seen. `own.my_number` and `own.card_number` count the whole text, quoted part included: a reply
// that quotes a 個人番号 or a card number still sends it.
struct BodyCounts {
  ContentCounts own;
  ContentCounts quoted;  // quoted text, signatures and disclaimers
};

// `forward`: the mail is a forward (its first quoted-looking header block is the forwarded message).
BodyCounts scan_body(const ContentScanner& scanner, const mail::Message& msg, bool forward);

// Check digits (exposed for tests).
bool valid_my_number(std::string_view twelve_digits);
bool valid_corporate_number(std::string_view thirteen_digits);
bool valid_card_number(std::string_view digits);  // prefix, length and Luhn

}  // namespace preflight::detect
