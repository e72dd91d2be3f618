// The daemon's logger; see logging.hpp.
#include "logging.hpp"

#include <spdlog/async.h>
#include <spdlog/async_logger.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>
#include <syslog.h>

#include <chrono>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

namespace preflight::daemon {

namespace {

constexpr std::size_t kQueuedLines = 65536;  // lines waiting for the writer before the oldest are dropped

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count();
    const auto level = spdlog::level::to_string_view(msg.level);
    std::string line = json_line({msg.payload.data(), msg.payload.size()}, {level.data(), level.size()}, ms) + "\n";
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

// The next word of `s` from `i`: up to a space outside double quotes.
std::string_view next_word(std::string_view s, std::size_t& i) {
  while (i < s.size() && s[i] == ' ') ++i;
  std::size_t start = i;
  bool quoted = false;
  for (; i < s.size() && (quoted || s[i] != ' '); ++i)
    if (s[i] == '"') quoted = !quoted;
  return s.substr(start, i - start);
}

}  // namespace

std::string json_line(std::string_view message, std::string_view level, std::int64_t epoch_ms) {
  std::time_t secs = epoch_ms / 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char time[40];
  std::size_t n = std::strftime(time, sizeof time, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(time + n, sizeof time - n, ".%03dZ", int(epoch_ms % 1000));
  nlohmann::json j = {{"time", time}, {"level", std::string(level)}};
  std::string text;
  for (std::size_t i = 0; i < message.size();) {
    std::string_view w = next_word(message, i);
    auto eq = w.find('=');
    if (eq == std::string_view::npos || eq == 0 || j.contains(std::string(w.substr(0, eq)))) {
      if (!w.empty()) text += (text.empty() ? "" : " ") + std::string(w);
      continue;
    }
    std::string_view v = w.substr(eq + 1);
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    j[std::string(w.substr(0, eq))] = std::string(v);
  }
  if (!text.empty()) j["text"] = text;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool setup_logging(const Config& c) {
  try {
    std::vector<spdlog::sink_ptr> sinks;
    if (c.log_file.empty())
      sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    else
      sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(c.log_file));
    if (c.log_syslog)
      sinks.push_back(std::make_shared<spdlog::sinks::syslog_sink_mt>("preflightd", LOG_PID, LOG_MAIL, false));
    spdlog::init_thread_pool(kQueuedLines, 1);
    auto logger = std::make_shared<spdlog::async_logger>("preflight", sinks.begin(), sinks.end(), spdlog::thread_pool(),
                                                         spdlog::async_overflow_policy::overrun_oldest);
    if (c.log_format == "json") logger->set_formatter(std::make_unique<JsonFormatter>());
    logger->set_level(spdlog::level::from_str(c.log_level));
    logger->flush_on(spdlog::level::info);
    // A failing log (full disk) must never reach the mail path.
    logger->set_error_handler([](const std::string&) {});
    spdlog::set_default_logger(logger);
    return true;
  } catch (const spdlog::spdlog_ex& e) {
    std::cerr << "preflightd: cannot open log: " << e.what() << "\n";
    return false;
  }
}

}  // namespace preflight::daemon
