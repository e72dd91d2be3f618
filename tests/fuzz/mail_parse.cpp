// Fuzz target: a whole raw message through mail::parse_message (GMime, MIME structure, header decoding,
// transfer encodings, charsets), then what the detectors read of the result: each text as plain text and
// split into layers, and the address headers.
#include "fuzz_input.hpp"
#include "preflight/mail/layers.hpp"
#include "preflight/mail/parse.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  preflight::mail::init();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace preflight;
  mail::ParseLimits limits;
  limits.max_text_bytes = 256 * 1024;
  limits.max_parts = 200;
  auto msg = mail::parse_message(fuzz::bytes(data, size), limits);
  if (!msg) return 0;
  for (std::size_t i = 0; i < msg->texts.size(); ++i) {
    const std::string text = msg->plain_text(i);
    (void)mail::split_layers(text, i % 2 == 1);
  }
  for (const char* name : {"From", "To", "Cc", "Reply-To"})
    for (const auto& a : msg->addresses(name)) (void)a.addr();
  return 0;
}
