// compose_notice(): one complete RFC 5322 message (CRLF line ends, no line over 998 bytes) from the
// notice data. The words come from notice_text.cpp, the encodings from notice_encode.cpp; this file only
// assembles headers and body. Output is deterministic for a given input (the Message-ID is derived, not
// random) so that a retried notice carries the same id and receivers can drop the duplicate.
#include "preflight/queue/notice.hpp"

#include <cstdio>
#include <ctime>

#include "notice_encode.hpp"
#include "notice_text.hpp"

namespace preflight::queue {
namespace {

using detail::clean_ascii;
using detail::clean_text;
using detail::header_line;

// Text that lands in a header as is: no CR, LF or other control character can open a new header line.
std::string header_text(std::string_view s) {
  std::string out = clean_text(s);
  const std::size_t first = out.find_first_not_of(' ');
  if (first == std::string::npos) return {};
  return out.substr(first, out.find_last_not_of(' ') - first + 1);
}

std::string domain_of(std::string_view address) {
  const std::size_t at = address.rfind('@');
  std::string domain = at == std::string_view::npos ? std::string() : clean_ascii(address.substr(at + 1));
  domain = domain.substr(0, domain.find_first_of("> "));
  return domain.empty() ? "preflight.invalid" : domain;
}

// FNV-1a: enough to keep ids of different notices apart; not a security boundary.
std::uint64_t fnv1a(std::string_view s, std::uint64_t h = 14695981039346656037ULL) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

std::string message_id(const NoticeInput& in) {
  std::uint64_t h = fnv1a(detail::kind_name(in.kind));
  // Separators keep ("ab", "c") and ("a", "bc") apart.
  for (std::string_view part : {std::string_view(in.held_id), std::string_view(in.to), std::string_view(in.from)})
    h = fnv1a(part, fnv1a("\x1F", h));
  h = fnv1a(std::to_string(in.now), h);
  h = fnv1a(in.released ? "1" : "0", h);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%lld.%016llx", static_cast<long long>(in.now),
                static_cast<unsigned long long>(h));
  return "<" + std::string(buf) + ".notice@" + domain_of(in.from) + ">";
}

// RFC 5322 date-time in Japan time, which is what the readers of these notices live in.
std::string rfc5322_date(std::int64_t now) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto shifted = static_cast<std::time_t>(now + 9 * 3600);
  std::tm tm{};
  gmtime_r(&shifted, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0900", kDays[tm.tm_wday], tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string encode_subject(const std::string& subject, NoticeCharset charset) {
  std::string value;
  for (const std::string& word : detail::encoded_words(subject, charset)) {
    if (!value.empty()) value += ' ';  // whitespace between encoded-words is dropped by decoders
    value += word;
  }
  return header_line("Subject", value);
}

std::string encode_body(const std::vector<std::string>& lines, NoticeCharset charset) {
  std::string out;
  if (charset == NoticeCharset::Iso2022jp) {
    for (const std::string& line : lines)
      for (const std::string& piece : detail::to_iso2022jp_lines(line)) out += piece + "\r\n";
    return out;
  }
  std::string text;
  for (const std::string& line : lines) text += line + "\r\n";  // canonical form: CRLF before base64
  return detail::base64_lines(text);
}

std::string mime_headers(NoticeCharset charset) {
  const bool jis = charset == NoticeCharset::Iso2022jp;
  return header_line("MIME-Version", "1.0") +
         header_line("Content-Type", jis ? "text/plain; charset=ISO-2022-JP" : "text/plain; charset=UTF-8") +
         header_line("Content-Transfer-Encoding", jis ? "7bit" : "base64");
}

}  // namespace

std::string compose_notice(const NoticeInput& in) {
  const detail::NoticeText text = detail::notice_text(in);
  std::string out;
  out += header_line("From", header_text(in.from));
  out += header_line("To", header_text(in.to));
  out += encode_subject(text.subject, in.charset);
  out += header_line("Date", rfc5322_date(in.now));
  out += header_line("Message-ID", message_id(in));
  out += mime_headers(in.charset);
  out += header_line("Auto-Submitted", "auto-generated");
  // Exchange and Outlook ignore Auto-Submitted but honour this one for their out-of-office replies.
  out += header_line("X-Auto-Response-Suppress", "All");
  out += header_line("X-Preflight-Notice", detail::kind_name(in.kind));
  out += header_line("X-Preflight-Held-Id", clean_ascii(in.held_id));
  out += "\r\n";
  out += encode_body(text.lines, in.charset);
  return out;
}

}  // namespace preflight::queue
