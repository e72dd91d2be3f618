// YAML policy files -> compiled Policy. The only user of yaml-cpp for policies. Every mistake is
// reported as file:line:column with what is wrong; nothing half-compiled is ever returned.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "preflight/policy/policy.hpp"

namespace preflight::policy {

struct PolicyError {
  Location where;
  std::string message;
  std::string str() const { return where.str() + ": " + message; }
};

struct CompileResult {
  std::shared_ptr<const Policy> policy;  // null when errors is not empty
  std::vector<PolicyError> errors;
  // What compiles but may not do what the author meant, e.g. an approve rule that can find nobody to ask
  // (its mail is then tempfailed). `preflightctl policy lint` prints them as file:line:column: warning: ...
  std::vector<PolicyError> warnings;
};

// Compiles one or more files into one policy: one `organisation` block at most, rules concatenated in
// file order, rule ids unique across files.
CompileResult compile_files(const std::vector<std::string>& paths);
// Compiles YAML text; `name` is used in error locations.
CompileResult compile_text(std::string_view yaml, const std::string& name);

}  // namespace preflight::policy
