// Fuzz target: address parsing. The input is a To/Cc header value as the MTA passes it; each address found
// is formatted back for a rewritten header and parsed again, and one addr-spec is split on its own.
#include "fuzz_input.hpp"
#include "preflight/mail/address.hpp"
#include "preflight/mail/parse.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  preflight::mail::init();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace preflight;
  const std::string_view value = fuzz::bytes(data, size);
  const auto addresses = mail::parse_address_list(value);
  const std::string formatted = mail::format_address_list(addresses);
  (void)mail::parse_address_list(formatted);
  (void)mail::parse_addr_spec(value);
  return 0;
}
