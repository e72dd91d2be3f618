// Fuzz target: attachment inspection through inspect::inspect, the entry point mail attachments take. One
// executable per format: PREFLIGHT_FUZZ_NAME is the attachment's file name (a hint, e.g. "a.xlsx"), and the
// seed corpus holds files of that format, so the fuzzer starts inside its reader. Limits are smaller than
// the defaults so that one input stays fast; what they cut is reported, never a crash.
#include "fuzz_input.hpp"
#include "preflight/inspect/inspect.hpp"

#ifndef PREFLIGHT_FUZZ_NAME
#error "PREFLIGHT_FUZZ_NAME must name the attachment (tests/fuzz/CMakeLists.txt)"
#endif

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace preflight;
  inspect::Limits limits;
  limits.max_expanded = 16 * 1024 * 1024;
  limits.max_entries = 200;
  limits.max_text = 256 * 1024;
  limits.max_milliseconds = 2000;
  (void)inspect::inspect(PREFLIGHT_FUZZ_NAME, fuzz::bytes(data, size), limits);
  return 0;
}
