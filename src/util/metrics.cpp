// The metrics registry; see metrics.hpp. Names follow Prometheus conventions: preflight_ prefix, counters
// end in _total, durations and ages are in seconds.
#include "preflight/util/metrics.hpp"

#include <cmath>
#include <map>
#include <mutex>
#include <stdexcept>

namespace preflight::util::metrics {

namespace {

enum class Type { Counter, Gauge, Histogram };

struct Family {
  const char* name;
  Type type;
  const char* help;
  bool labelled = false;  // an unlabelled counter is shown (0) from the start
};

constexpr Family kFamilies[] = {
    {"preflight_messages_total", Type::Counter,
     "Messages answered at end of message, by the policy's action and mode (monitor: what monitor rules "
     "would have done)", true},
    {"preflight_messages_failed_total", Type::Counter,
     "Messages answered by milter.on_error or tempfailed before or while carrying out a verdict"},
    {"preflight_rule_matches_total", Type::Counter, "Rule matches, by rule id and mode", true},
    {"preflight_end_of_message_seconds", Type::Histogram, "preflight's own time at end of message"},
    {"preflight_inspection_incomplete_total", Type::Counter,
     "Messages whose attachments were not inspected in full, by reason", true},
    {"preflight_held_messages", Type::Gauge, "Held mail in the queue, by state", true},
    {"preflight_oldest_held_age_seconds", Type::Gauge, "Age of the oldest mail waiting in state held"},
    {"preflight_outbox_notices", Type::Gauge, "Notices waiting in the outbox to be sent"},
    {"preflight_release_attempts_total", Type::Counter, "Attempts to re-inject released mail"},
    {"preflight_release_failures_total", Type::Counter, "Release attempts the MTA did not take in full"},
    {"preflight_policy_reloads_total", Type::Counter, "Policy loads (start and SIGHUP), by result", true},
    {"preflight_policy_last_reload_success_timestamp_seconds", Type::Gauge,
     "Unix time of the last policy load that succeeded"},
    {"preflight_store_errors_total", Type::Counter, "Errors of the SQLite store"},
    {"preflight_metrics_collector_errors_total", Type::Counter, "Scrapes whose store gauges could not be read"},
};

// Upper bounds in seconds: from a fast header-only mail to the default milter.deadline.
constexpr double kBuckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
constexpr std::size_t kBucketCount = sizeof(kBuckets) / sizeof(kBuckets[0]);

struct Histogram {
  std::uint64_t buckets[kBucketCount] = {};
  std::uint64_t count = 0;
  double sum = 0;
};

struct Registry {
  std::mutex mu;
  std::map<std::string, std::map<Labels, double>, std::less<>> values;  // counters and set gauges
  std::map<std::string, Histogram, std::less<>> histograms;
  std::map<std::size_t, std::function<std::vector<Sample>()>> collectors;
  std::size_t next_collector = 1;
};

Registry& registry() {
  static Registry r;
  return r;
}

const Family& family(std::string_view name, Type type) {
  for (const auto& f : kFamilies)
    if (name == f.name && f.type == type) return f;
  throw std::logic_error("undeclared metric " + std::string(name));
}

std::string escaped(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string label_text(const Labels& labels, const std::string& extra = {}) {
  std::string out;
  for (const auto& [k, v] : labels) out += (out.empty() ? "" : ",") + k + "=\"" + escaped(v) + "\"";
  if (!extra.empty()) out += (out.empty() ? "" : ",") + extra;
  return out.empty() ? "" : "{" + out + "}";
}

std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

void series(std::string& out, const std::string& name, const Labels& labels, double v) {
  out += name + label_text(labels) + " " + number(v) + "\n";
}

void histogram_text(std::string& out, const std::string& name, const Histogram& h) {
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    cumulative += h.buckets[i];
    out += name + "_bucket{le=\"" + number(kBuckets[i]) + "\"} " + std::to_string(cumulative) + "\n";
  }
  out += name + "_bucket{le=\"+Inf\"} " + std::to_string(h.count) + "\n";
  out += name + "_sum " + number(h.sum) + "\n" + name + "_count " + std::to_string(h.count) + "\n";
}

std::vector<Sample> collect(Registry& r) {
  std::map<std::size_t, std::function<std::vector<Sample>()>> collectors;
  {
    std::lock_guard<std::mutex> lock(r.mu);
    collectors = r.collectors;
  }
  std::vector<Sample> out;
  for (const auto& [id, c] : collectors) {
    try {
      auto s = c();
      out.insert(out.end(), s.begin(), s.end());
    } catch (const std::exception&) {
      count("preflight_metrics_collector_errors_total");
    }
  }
  return out;
}

}  // namespace

void count(std::string_view name, const Labels& labels, double by) {
  const Family& f = family(name, Type::Counter);
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  r.values[f.name][labels] += by;
}

void set(std::string_view name, const Labels& labels, double value) {
  const Family& f = family(name, Type::Gauge);
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  r.values[f.name][labels] = value;
}

void observe(std::string_view name, double seconds) {
  const Family& f = family(name, Type::Histogram);
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  Histogram& h = r.histograms[f.name];
  for (std::size_t i = 0; i < kBucketCount; ++i)
    if (seconds <= kBuckets[i]) {
      ++h.buckets[i];
      break;
    }
  ++h.count;
  h.sum += seconds;
}

std::size_t add_collector(std::function<std::vector<Sample>()> collector) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  r.collectors[r.next_collector] = std::move(collector);
  return r.next_collector++;
}

void remove_collector(std::size_t id) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  r.collectors.erase(id);
}

std::string exposition() {
  Registry& r = registry();
  std::vector<Sample> collected = collect(r);
  std::lock_guard<std::mutex> lock(r.mu);
  std::string out;
  for (const auto& f : kFamilies) {
    static constexpr const char* kTypes[] = {"counter", "gauge", "histogram"};
    out += std::string("# HELP ") + f.name + " " + f.help + "\n# TYPE " + f.name + " " +
           kTypes[static_cast<int>(f.type)] + "\n";
    if (f.type == Type::Histogram) {
      auto it = r.histograms.find(f.name);
      histogram_text(out, f.name, it == r.histograms.end() ? Histogram{} : it->second);
      continue;
    }
    bool any = false;
    if (auto it = r.values.find(f.name); it != r.values.end())
      for (const auto& [labels, v] : it->second) series(out, f.name, labels, v), any = true;
    for (const auto& s : collected)
      if (s.name == f.name) series(out, f.name, s.labels, s.value), any = true;
    if (!any && f.type == Type::Counter && !f.labelled) series(out, f.name, {}, 0);
  }
  return out;
}

void reset() {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  r.values.clear();
  r.histograms.clear();
  r.collectors.clear();
}

}  // namespace preflight::util::metrics
