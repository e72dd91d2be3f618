// Private to mail/layers*.cpp: what one line of a body text is (a quote line, an attribution, a marker,
// an Outlook header field, a signature separator, a contact line). Each predicate looks at one line as
// written (it trims blanks itself).
#pragma once
#include <string_view>

namespace preflight::mail::layer_lines {

// Strips ASCII blanks and U+3000 (the full-width space of Japanese indentation) at both ends.
std::string_view trim(std::string_view line);
inline bool blank(std::string_view line) { return trim(line).empty(); }

// '>' or '＞' first, after leading blanks.
bool quote_line(std::string_view line);
// "On … wrote:", "… さんは書きました:", "2026/11/23 … <a@b.example>:" and similar.
bool attribution(std::string_view line);
// An attribution no prose line looks like: it starts with "On " or a date, names an address, or is a
// Japanese mailer's. Only such a line quotes the lines below it when they carry no '>' ("as I wrote:"
// above a list must not hide the list).
bool strong_attribution(std::string_view line);
// "-----Original Message-----", "----- Original Message -----", "-----元のメッセージ-----".
bool original_marker(std::string_view line);
// "---------- Forwarded message ---------", "Begin forwarded message:", "----- 転送メッセージ -----".
bool forward_marker(std::string_view line);

enum class Field { None, From, Date, To, Cc, Subject };
// "From: …", "*Sent:* …", "差出人: …", "件名：…" (ASCII names case-insensitive).
Field header_field(std::string_view line);

// "-- " or "--": the signature delimiter.
bool signature_delimiter(std::string_view line);
// A line made of three or more rule characters (=, -, _, *, ~, #, ━, ─, ＿, ＝, ～ …), blanks allowed.
bool separator_line(std::string_view line);
// TEL, FAX, mail, 〒, http, @, 株式会社, Co., Ltd. …: what a signature line gives.
bool contact_line(std::string_view line);
// A paragraph telling a wrong recipient what to do (see layers.hpp).
bool disclaimer(std::string_view paragraph);

// ASCII and full-width digits in the text.
int digits(std::string_view text);

}  // namespace preflight::mail::layer_lines
