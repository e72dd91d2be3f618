// Where a request comes from, and the sign-in form's CSRF token. Internal to the web module.
//
// client_address: the peer's address, unless the peer is one of the configured trusted reverse proxies:
// then the right-most X-Forwarded-For entry that is not itself a trusted proxy (entries further left are
// whatever the client wrote and are never believed). Rate limits and the audit's "from where" use it.
//
// Login tokens: the sign-in page's CSRF token is issued by the server, "nonce.mac" with an HMAC-SHA256
// of the nonce under a key derived from the gateway's key, so a token a client (or a sibling site setting
// cookies) invents is refused.
#pragma once
#include <httplib.h>

#include <string>
#include <string_view>
#include <vector>

namespace preflight::web {

std::string client_address(const httplib::Request& req, const std::vector<std::string>& trusted_proxies);

std::string issue_login_token(std::string_view key);  // empty when no random bytes are available
bool valid_login_token(std::string_view token, std::string_view key);

}  // namespace preflight::web
