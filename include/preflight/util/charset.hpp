// Charset conversion to UTF-8, tuned for Japanese mail.
//
// Declared Japanese charsets are widened to the vendor sets mailers really use, so nothing is dropped:
// Shift_JIS -> CP932, EUC-JP -> EUC-JP-MS, ISO-2022-JP decoded through CP932 (NEC row 13 such as ①, ㈱
// and IBM extensions such as 髙 survive). Never throws; bytes that cannot be converted become U+FFFD.
// Thread-safe: no shared state besides iconv descriptors opened per call.
#pragma once
#include <string>
#include <string_view>

namespace preflight::util {

// Converts `bytes` declared as `charset` (any IANA name or alias, case-insensitive) to UTF-8.
// An empty or unknown charset is treated like guess_to_utf8().
std::string to_utf8(std::string_view bytes, std::string_view charset);

// Bytes of unknown charset (raw 8-bit header text, ZIP entry names): valid UTF-8 is kept as is;
// else ISO-2022-JP if it has JIS escape sequences; else CP932 if it decodes; else ISO-8859-1.
std::string guess_to_utf8(std::string_view bytes);

// True if `bytes` is well-formed UTF-8.
bool is_utf8(std::string_view bytes);

// Appends one code point as UTF-8; surrogates, 0 and values past U+10FFFF become U+FFFD.
void append_utf8(std::string& out, char32_t code_point);

// Unicode NFKC normalisation (full-width digits and letters become ASCII). Invalid UTF-8 is repaired first.
std::string nfkc(std::string_view utf8);

// Opens, once per process and for good, a converter for each charset of everyday mail here (ISO-2022-JP,
// Shift_JIS, CP932, EUC-JP, Latin-1, Windows-1252): glibc unloads a charset module when its last
// converter closes, and GMime opens and closes one per encoded header word and text part, so without this
// every Japanese mail loaded and unloaded ISO-2022-JP's module again (dlopen, relocation, munmap).
void keep_charset_modules_loaded();

}  // namespace preflight::util
