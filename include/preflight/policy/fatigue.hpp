// Approval fatigue: an approval asked again for a sender, recipient domain and rule that approvers have
// approved many times lately becomes a short hold the sender can still cancel (policy.hpp, ApprovalFatigue).
// Applied after evaluate(); pure: past approvals are read through the read-only detect::Context, and the
// window is the context's business (it knows the time), so there is no clock and no I/O here.
#pragma once
#include <cstdint>
#include <string>

#include "preflight/detect/context.hpp"
#include "preflight/detect/facts.hpp"
#include "preflight/policy/evaluate.hpp"
#include "preflight/policy/policy.hpp"

namespace preflight::policy {

// Waives the verdict's approval when all of these hold: the verdict is an enforced approve, fatigue is on
// (after > 0), every enforced approve rule that matched is waivable, the mail has at least one external
// envelope recipient, and for every such rule and every external organisational domain the context counts
// at least `after` approvals of this sender within the window. Then the verdict becomes a hold of
// max(delay of matching hold rules, fatigue delay) without approvers, and `waiver` says why. Returns true
// when it waived.
bool waive_approval(const Policy& policy, const detect::Facts& facts, const detect::Context& context,
                    Verdict& verdict);

// A number of seconds as a policy writes durations: "30d", "2h", "5m", "45s".
std::string duration_text(std::int64_t seconds);

}  // namespace preflight::policy
