// Fuzz target: Postfix log import (context::PostfixLogReader). The input is a log excerpt; each line is
// fed in order, as `preflightctl history import` does.
#include "fuzz_input.hpp"
#include "preflight/context/postfix_log.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace preflight;
  std::string_view log = fuzz::bytes(data, size);
  context::PostfixLogReader reader(2026);
  while (!log.empty()) {
    const std::size_t eol = log.find('\n');
    (void)reader.feed(log.substr(0, eol));
    if (eol == std::string_view::npos) break;
    log.remove_prefix(eol + 1);
  }
  return 0;
}
