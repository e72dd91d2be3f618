// The process's Prometheus metrics: counters, gauges and one latency histogram, rendered in the text
// exposition format (version 0.0.4) for the web role's /metrics. Every family is declared once in
// metrics.cpp with its type and help; a name not declared there is refused (std::logic_error), so a typo
// never makes a new series. Thread-safe; counting costs a mutex and a map look-up.
// Gauges that describe the store (held mail by state, outbox depth) are read when scraped, through
// collectors the daemon registers.
#pragma once
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace preflight::util::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;  // name -> value, in a fixed order

struct Sample {
  std::string name;  // a declared gauge family
  Labels labels;
  double value = 0;
};

// Adds `by` to a counter family's series.
void count(std::string_view family, const Labels& labels = {}, double by = 1);
// Sets a gauge family's series.
void set(std::string_view family, const Labels& labels, double value);
// Observes one value (seconds) in a histogram family.
void observe(std::string_view family, double seconds);
// Called at each scrape; returns gauge samples. An exception is counted as a scrape error, never thrown.
// Returns an id for remove_collector (never 0).
std::size_t add_collector(std::function<std::vector<Sample>()> collector);
void remove_collector(std::size_t id);
// Every series, each family with # HELP and # TYPE.
std::string exposition();
// Forgets every value and collector (tests).
void reset();

}  // namespace preflight::util::metrics
