// Small string helpers shared by every module. ASCII-only case folding: mail addresses and header
// names are compared this way; Unicode text goes through charset.hpp (nfkc) instead.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace preflight::util {

// 'A'-'Z' to 'a'-'z'; every other byte as it is.
constexpr char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
std::string to_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);
std::string_view trim(std::string_view s);
std::vector<std::string> split(std::string_view s, char sep);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
// Strips surrounding <...> from an SMTP path such as "<a@b.example>".
std::string strip_angle(std::string_view s);
// Lower-case hexadecimal of bytes (keys, salts, random tokens).
std::string to_hex(std::string_view bytes);
// Replaces control characters (and CR/LF) with spaces: for text that goes into log lines and SMTP replies.
std::string printable(std::string_view s);

// HTML-escapes untrusted text (& < > " ').
std::string html_escape(std::string_view text);

}  // namespace preflight::util
