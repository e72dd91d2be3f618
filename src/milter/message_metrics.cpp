// What each answered message adds to the process's metrics (util/metrics.hpp); see internal.hpp.
#include <algorithm>

#include "preflight/util/metrics.hpp"
#include "internal.hpp"

namespace preflight::milter {

void count_message(const engine::Evaluation& ev, double seconds) {
  namespace m = util::metrics;
  const auto& v = ev.verdict;
  m::count("preflight_messages_total", {{"action", policy::action_name(v.action)}, {"mode", "enforce"}});
  // monitor: the strongest action the monitor rules would have taken, for messages they matched
  bool monitored = false;
  policy::Action strongest = policy::Action::Accept;
  for (const auto& r : v.reasons) {
    m::count("preflight_rule_matches_total", {{"rule", r.rule_id}, {"mode", policy::mode_name(r.mode)}});
    if (r.mode == policy::Mode::Monitor) monitored = true, strongest = std::max(strongest, r.action);
  }
  if (monitored)
    m::count("preflight_messages_total", {{"action", policy::action_name(strongest)}, {"mode", "monitor"}});
  m::observe("preflight_end_of_message_seconds", seconds);
  if (const auto* reasons = ev.facts.get("attachments.incomplete_reasons"))
    for (const auto& reason : std::get<detect::StringList>(*reasons))
      m::count("preflight_inspection_incomplete_total", {{"reason", reason}});
}

void count_failure() { util::metrics::count("preflight_messages_failed_total"); }

}  // namespace preflight::milter
