// ISO-2022-JP (and the -1/-2/-3 variants, roughly) rewritten as CP932 bytes, so that iconv "CP932" can
// finish the job: glibc's own ISO-2022-JP converter rejects NEC row 13 (①, ㈱) and IBM extensions, which
// Japanese mailers emit all the time. Pure byte code, never throws, linear in the input.
#pragma once
#include <string>
#include <string_view>

namespace preflight::util {

// Byte that CP932 leaves undefined: emitted for every unusable input byte or pair so that the later
// CP932 -> UTF-8 step turns it into exactly one U+FFFD.
inline constexpr char kCp932Invalid = '\xFF';

// Walks the escape sequences of `bytes` and returns the equivalent CP932 byte string. JIS X 0208 pairs
// are shifted arithmetically (which also carries NEC row 13 and the IBM rows), half-width katakana gain
// 0x80, ASCII and JIS-Roman pass through. Character sets CP932 cannot hold become kCp932Invalid.
std::string iso2022jp_to_cp932(std::string_view bytes);

// True if `bytes` holds an ISO-2022-JP designation (ESC $ @, ESC $ B, ESC ( B, ESC ( J, ESC ( I, ...).
bool has_jis_escape(std::string_view bytes);

}  // namespace preflight::util
