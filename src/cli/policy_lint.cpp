// `preflightctl policy lint FILE...`: compiles the files as the daemon would; prints every error as
// file:line:column: message, and every warning as file:line:column: warning: message. Exit 0 when the
// policy is valid (warnings or not), 1 when not, 64 on usage errors.
#include <ostream>

#include "preflight/cli/cli.hpp"
#include "preflight/policy/compile.hpp"

namespace preflight::cli {

int policy_lint(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty()) {
    err << "usage: preflightctl policy lint FILE...\n";
    return 64;
  }
  auto result = policy::compile_files(args);
  for (const auto& e : result.errors) err << e.str() << "\n";
  for (const auto& w : result.warnings) err << w.where.str() << ": warning: " << w.message << "\n";
  if (!result.policy) {
    err << result.errors.size() << " error(s)\n";
    return 1;
  }
  out << "ok: " << result.policy->rules.size() << " rule(s), " << result.policy->organisation.internal_domains.size()
      << " internal domain(s)\n";
  return 0;
}

}  // namespace preflight::cli
