// Decoding of raw MIME header values into UTF-8: RFC 2047 encoded-words, RFC 2231 parameters and the
// non-standard forms Japanese mailers produce. Pure functions, no GMime types, thread-safe.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace preflight::mail {

// Unstructured text (Subject): decodes encoded-words (B and Q), joins adjacent encoded-words without the
// white space between them (bytes of adjacent words in one charset are joined before conversion, so a
// multi-byte character split across words survives), unfolds, and converts raw 8-bit text via
// util::guess_to_utf8. Malformed encoded-words are kept literally.
std::string decode_header_text(std::string_view raw);

// Structured address headers (To, Cc, From): each run of encoded-words is replaced by a quoted-string
// holding its UTF-8 text (quotes and backslashes escaped), raw 8-bit text is converted to UTF-8; the
// address syntax itself is left as it is, so an address-list parser sees the right display names.
std::string decode_phrase_words(std::string_view raw);

// The value of parameter `name` (case-insensitive, e.g. "filename" or "name") in a raw Content-Type or
// Content-Disposition header value, decoded to UTF-8. Handles quoted and token values, RFC 2231
// `name*=charset'lang'%XX`, continuations `name*0=`, `name*1*=` (joined before decoding, also when the
// joined text is an encoded-word), encoded-words inside quotes (`name="=?ISO-2022-JP?B?...?="`) and raw
// 8-bit bytes. Returns nullopt when the parameter is absent.
std::optional<std::string> header_param(std::string_view raw_value, std::string_view name);

}  // namespace preflight::mail
