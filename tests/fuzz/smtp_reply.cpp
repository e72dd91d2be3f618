// Fuzz target: what the re-injection SMTP client reads and writes. The input is the byte stream a server
// sends, taken apart reply by reply with queue::take_smtp_reply, and also a message body put through
// smtp_data (CRLF and dot-stuffing), whose result must end the DATA with "\r\n.\r\n".
#include <cstdlib>
#include <string>

#include "fuzz_input.hpp"
#include "preflight/queue/smtp_client.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace preflight;
  const std::string_view in = fuzz::bytes(data, size);
  std::string received(in);
  while (auto reply = queue::take_smtp_reply(received))
    if (reply->code < 0 || reply->code > 999) std::abort();
  const std::string body = queue::smtp_data(in);
  if (body.size() < 5 || body.compare(body.size() - 5, 5, "\r\n.\r\n") != 0) std::abort();
  return 0;
}
