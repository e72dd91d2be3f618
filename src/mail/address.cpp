// Address helpers; see address.hpp.
#include "preflight/mail/address.hpp"

#include <glib.h>

#include "preflight/util/strings.hpp"

namespace preflight::mail {

Address parse_addr_spec(std::string_view text) {
  std::string s = util::strip_angle(text);
  Address a;
  auto at = s.rfind('@');
  if (at == std::string::npos) {
    a.local = s;
    return a;
  }
  a.local = s.substr(0, at);
  a.domain = util::to_lower(s.substr(at + 1));
  if (!a.domain.empty() && a.domain.back() == '.') a.domain.pop_back();
  return a;
}

std::string mailbox_key(std::string_view address) {
  Address a = parse_addr_spec(address);
  std::string local = util::to_lower(a.local);
  if (auto plus = local.find('+'); plus != std::string::npos && plus > 0 && !a.domain.empty()) local.resize(plus);
  return a.domain.empty() ? local : local + "@" + a.domain;
}

namespace {
bool is_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

std::string quote_name(const std::string& name) {
  if (!is_ascii(name)) {
    gchar* b64 = g_base64_encode(reinterpret_cast<const guchar*>(name.data()), name.size());
    std::string out = std::string("=?UTF-8?B?") + b64 + "?=";
    g_free(b64);
    return out;
  }
  std::string out = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') out += '\\';
    if (c != '\r' && c != '\n') out += c;
  }
  return out + "\"";
}
}  // namespace

std::string format_address_list(const std::vector<Address>& addresses) {
  std::string out;
  for (const auto& a : addresses) {
    if (!out.empty()) out += ",\n\t";
    if (a.display_name.empty()) {
      out += a.addr();
    } else {
      out += quote_name(a.display_name) + " <" + a.addr() + ">";
    }
  }
  return out;
}

}  // namespace preflight::mail
