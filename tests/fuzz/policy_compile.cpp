// Fuzz target: YAML policy compilation (policy::compile_text): yaml-cpp, then every key, condition and
// action of the policy language. A result is either a policy or errors, never both and never neither.
#include "fuzz_input.hpp"
#include "preflight/policy/compile.hpp"

#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace preflight;
  const auto r = policy::compile_text(fuzz::bytes(data, size), "fuzz.yaml");
  if ((r.policy == nullptr) == r.errors.empty()) std::abort();
  for (const auto& e : r.errors) (void)e.str();
  return 0;
}
