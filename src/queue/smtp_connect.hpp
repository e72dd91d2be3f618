// Opens the connection the SMTP client talks over: a unix-domain socket when the target names one (the
// MTA's re-injection listener in a directory only preflight's group may enter), else TCP to host:port.
// Both with the target's timeout on every read and write. Internal to the queue module.
#pragma once
#include <string>

#include "preflight/queue/smtp_client.hpp"

namespace preflight::queue::detail {

// Connects; on success `fd` is the open socket and the result is empty, else an error text ("cannot
// connect to ...: reason") and `fd` is -1 or a socket the caller closes.
std::string smtp_connect(const SmtpTarget& target, int& fd);

}  // namespace preflight::queue::detail
