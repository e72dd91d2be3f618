// Evaluation: Facts -> Verdict. Pure and allocation-light; no I/O, safe from any thread.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "preflight/detect/facts.hpp"
#include "preflight/policy/policy.hpp"

namespace preflight::policy {

struct Reason {
  std::string rule_id;
  std::string description;
  Action action;
  Mode mode;
  std::vector<std::pair<std::string, std::string>> facts;  // fact name -> value text, as the rule saw them
};

struct Verdict {
  Action action = Action::Accept;          // strongest enforced action
  bool bcc = false;                         // an enforced rule asks for the To/Cc -> Bcc rewrite
  BccScope bcc_scope = BccScope::External;  // All if any enforced bcc rule asks for all
  bool detach = false;                      // an enforced rule sends the attachments as download links
  HoldSpec hold;                            // merged over enforced hold/approve rules (longest delay,
                                            // every approver, earliest expiry, return unless all release)
  std::vector<Reason> reasons;             // every matching rule, enforced and monitored, in policy order
  std::vector<std::string> tags;           // values of enforced tag rules
  std::string subject_prefix;              // first enforced tag rule's prefix
  std::string reject_text;                 // first enforced reject rule's text
  std::string waiver;                      // why an approval became a hold (approval fatigue); empty: none

  std::vector<std::string> rule_ids(Mode mode) const;
};

Verdict evaluate(const Policy& policy, const detect::Facts& facts);

// True when the condition holds for the facts (a missing fact never holds).
bool holds(const Condition& c, const detect::Facts& facts);

}  // namespace preflight::policy
