// preflightd's log: standard error or log.file, and with log.syslog the syslog's mail facility too; each
// line as written (log.format: text) or as one JSON object (json). Writing is asynchronous: a queue of
// lines and one writer thread, the oldest line dropped when the queue is full, so a log that blocks (a
// full pipe, a stalled disk) or fails never delays a mail. Internal to the daemon module.
#pragma once
#include <string>

#include "preflight/daemon/config.hpp"

namespace preflight::daemon {

// Installs the default logger; false (and a line on standard error) when the log cannot be opened.
bool setup_logging(const Config& c);

// A log line as JSON: the `key=value` words (a value may be "quoted") become fields, other words the
// field "text"; with "time" (UTC, ISO 8601 with milliseconds) and "level".
std::string json_line(std::string_view message, std::string_view level, std::int64_t epoch_ms);

}  // namespace preflight::daemon
