// Parses one condition leaf written as text: `FACT`, `FACT OP LITERAL`.
//   OP: >= <= > < == != contains matches
//   LITERAL: a number, true/false, a "quoted string" or a bare word.
// Checks the fact exists and the operator fits its type. Internal to the policy module.
#pragma once
#include <string>
#include <string_view>

#include "preflight/policy/policy.hpp"

namespace preflight::policy {

struct LeafResult {
  Condition condition;
  std::string error;   // empty on success
  int error_offset = 0;  // byte offset in the text where the problem is
};

LeafResult parse_leaf(std::string_view text);

}  // namespace preflight::policy
