// The SMTP envelope of one transaction and the MTA macros preflight uses. The envelope, not the
// headers, decides who receives a mail: RCPT TO is complete where long headers may be cut by the MTA.
#pragma once
#include <string>
#include <vector>

#include "preflight/mail/address.hpp"

namespace preflight::mail {

struct Envelope {
  Address sender;                   // MAIL FROM; empty local+domain for the null sender <>
  std::vector<Address> recipients;  // RCPT TO, in order
  // ESMTP parameters as the client gave them ("BODY=8BITMIME", "SMTPUTF8", "RET=HDRS", "ENVID=..." after
  // MAIL FROM; "NOTIFY=...", "ORCPT=..." after each RCPT TO): kept with held mail and replayed at release.
  std::vector<std::string> mail_params;
  std::vector<std::vector<std::string>> rcpt_params;  // parallel to recipients
  std::string queue_id;             // {i}
  std::string auth_user;            // {auth_authen}, empty when not authenticated
  std::string client_addr;          // connecting client's IP address
};

}  // namespace preflight::mail
