// Reading dates as mail writes them: the RFC 5322 Date header (with the obsolete forms still seen:
// two-digit years, named zones such as GMT, EST or JST, comments) and ISO 8601 timestamps. Pure.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace preflight::mail {

// Unix seconds of an RFC 5322 date ("Mon, 30 Nov 2026 09:01:02 +0900"); nullopt when it is not one.
// A missing or unknown zone counts as UTC.
std::optional<std::int64_t> parse_date(std::string_view text);

// Unix seconds of an ISO 8601 timestamp ("2026-11-30T09:01:02+09:00", "…Z", fractions ignored, a blank
// instead of T). Without a zone, `default_offset` (seconds east of UTC) applies; nullopt when it is none.
std::optional<std::int64_t> parse_iso8601(std::string_view text, std::int64_t default_offset = 0);

// Unix seconds of a civil date and time in UTC (proleptic Gregorian calendar).
std::int64_t civil_to_unix(int year, int month, int day, int hour, int minute, int second);

}  // namespace preflight::mail
