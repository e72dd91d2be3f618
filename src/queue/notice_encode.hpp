// Private to src/queue: the byte-level encodings a notice needs — untrusted text made safe, UTF-8 to
// ISO-2022-JP (RFC 1468, JIS X 0208 only, unmappable characters replaced), RFC 2047 B-encoded words,
// base64 bodies and header folding. Everything returned is ASCII except clean_text(), which is UTF-8.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "preflight/queue/notice.hpp"

namespace preflight::queue::detail {

inline constexpr std::size_t kMaxLine = 998;  // RFC 5322 hard limit, CRLF excluded

// Well-formed UTF-8 for one line of text: invalid bytes become U+FFFD, control characters (CR, LF, ESC,
// TAB, C1) and line separators become spaces, bidi overrides become U+FFFD so that a file name such as
// "cod\u202Eexe.doc" cannot pass for something else in the notice.
std::string clean_text(std::string_view s);

// Printable ASCII only, for header values built from addresses and ids: other bytes are dropped.
std::string clean_ascii(std::string_view s);

// One UTF-8 line as ISO-2022-JP: one or more lines of at most `max_bytes` bytes each, every one starting
// and ending in ASCII mode. Characters outside ASCII and JIS X 0208 get a compatible substitute (NFKC,
// Microsoft variants such as U+FF5E) or else GETA MARK (〓); the conversion never fails.
std::vector<std::string> to_iso2022jp_lines(std::string_view utf8, std::size_t max_bytes = kMaxLine);

// `utf8` as the space-separated words of an unstructured header value: printable ASCII tokens as they
// are, everything else as RFC 2047 B-encoded words in `charset`, each at most 75 characters and split on
// character boundaries only (for ISO-2022-JP each word holds a complete ESC $ B ... ESC ( B sequence).
std::vector<std::string> encoded_words(std::string_view utf8, NoticeCharset charset);

// Base64 of `bytes` in CRLF-terminated lines of 76 characters (the last may be shorter).
std::string base64_lines(std::string_view bytes);

// "Name: value" + CRLF, folded at spaces so that lines stay near 78 characters where the value allows;
// a single run longer than the hard limit is cut, as no receiver would accept it anyway.
std::string header_line(std::string_view name, std::string_view value);

}  // namespace preflight::queue::detail
