// Fuzz target: header decoding. The input is one raw header value, read as unstructured text (Subject), as
// an address header's phrases, and as a Content-Type / Content-Disposition value whose name and filename
// parameters (RFC 2231 continuations and charsets, encoded-words in quotes, raw 8-bit) are looked up.
#include "fuzz_input.hpp"
#include "preflight/mail/header_decode.hpp"
#include "preflight/util/charset.hpp"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace preflight;
  const std::string_view raw = fuzz::bytes(data, size);
  // Every decoder promises UTF-8 out, whatever comes in.
  if (!util::is_utf8(mail::decode_header_text(raw))) std::abort();
  (void)mail::decode_phrase_words(raw);
  for (const char* name : {"filename", "name", "charset"})
    if (auto v = mail::header_param(raw, name); v && !util::is_utf8(*v)) std::abort();
  return 0;
}
