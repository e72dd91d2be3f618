// Message model helpers; see message.hpp.
#include "preflight/mail/message.hpp"

#include "preflight/util/strings.hpp"

namespace preflight::mail {

std::vector<Address> Message::addresses(std::string_view header_name) const {
  std::vector<Address> out;
  for (const auto& h : address_headers)
    if (util::iequals(h.name, header_name))
      out.insert(out.end(), h.addresses.begin(), h.addresses.end());
  return out;
}

}  // namespace preflight::mail
