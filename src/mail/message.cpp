// Message model helpers; see message.hpp.
#include "preflight/mail/message.hpp"

#include "preflight/mail/html_text.hpp"
#include "preflight/util/strings.hpp"

namespace preflight::mail {

bool shows_recipients(std::string_view header_name) {
  for (std::string_view n : {"To", "Cc", "Resent-To", "Resent-Cc"})
    if (util::iequals(header_name, n)) return true;
  return false;
}

std::vector<Address> Message::shown_addresses() const {
  std::vector<Address> out;
  for (const auto& h : address_headers)
    if (shows_recipients(h.name)) out.insert(out.end(), h.addresses.begin(), h.addresses.end());
  return out;
}

std::vector<Address> Message::addresses(std::string_view header_name) const {
  std::vector<Address> out;
  for (const auto& h : address_headers)
    if (util::iequals(h.name, header_name))
      out.insert(out.end(), h.addresses.begin(), h.addresses.end());
  return out;
}

bool Message::text_is_html(std::size_t i) const {
  return i < text_info.size() && text_info[i].content_type == "text/html";
}

std::string Message::plain_text(std::size_t i) const {
  if (i >= texts.size()) return {};
  return text_is_html(i) ? html_to_text(texts[i]) : texts[i];
}

}  // namespace preflight::mail
