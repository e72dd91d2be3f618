// Fuzz target: mail::html_to_text, which reduces HTML bodies for the content scan and the approver page.
#include "fuzz_input.hpp"
#include "preflight/mail/html_text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)preflight::mail::html_to_text(preflight::fuzz::bytes(data, size));
  return 0;
}
