// A mail address split into local part and domain, with the decoded display name where one exists.
// Domains are kept lower-case; IDN domains in their Unicode form as written (detect/ converts to ASCII).
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace preflight::mail {

struct Address {
  std::string local;         // as written (local parts may be case-sensitive)
  std::string domain;        // lower-case; empty for a bare local part
  std::string display_name;  // UTF-8, decoded; may be empty

  std::string addr() const { return domain.empty() ? local : local + "@" + domain; }
};

// Splits "local@domain" (angle brackets and surrounding blanks removed) at the last '@'.
Address parse_addr_spec(std::string_view text);

// The mailbox an address names, as the directory and approver lists key it: angle brackets and blanks
// removed, lower-case, and without an address extension ("Taro+x@Example.co.jp" -> "taro@example.co.jp").
std::string mailbox_key(std::string_view address);

// One To/Cc/Bcc/From/Reply-To header occurrence as the MTA passed it, with its parsed addresses.
struct AddressHeader {
  std::string name;   // canonical case: "To", "Cc", ...
  int index = 1;      // 1-based among headers of this name (what milter header changes address)
  std::size_t raw_size = 0;
  std::vector<Address> addresses;
};

// Serialises addresses for a rewritten header: `"Name" <a@b>` with non-ASCII names RFC 2047-encoded.
std::string format_address_list(const std::vector<Address>& addresses);

}  // namespace preflight::mail
