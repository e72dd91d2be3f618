// Action links: approve / reject / cancel links sent in notices. A token carries its claims (which held
// message, which actor, which action, until when) and an HMAC-SHA256 over them with the gateway's secret
// key, so it cannot be forged or moved to another message, actor or action, and it expires.
// Format: base64url(payload) "." base64url(mac). Thread-safe, no state.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "preflight/util/result.hpp"

namespace preflight::web {

// ApproveBcc: approve with To/Cc moved to Bcc (offered only when the policy allows that choice).
// Download: the page of a detached attachment (message_id: the file's id); Fetch: the one-time form token
// of that page's download button (actor: a random nonce); Revoke: the sender's link that withdraws every
// file of one mail (message_id: the batch id).
enum class LinkAction { Approve, Reject, Cancel, ApproveBcc, Download, Fetch, Revoke };
const char* link_action_name(LinkAction a);  // "approve", "reject", "cancel", "approve-bcc", "download", ...

struct LinkClaims {
  std::string message_id;  // the held message's id
  std::string actor;       // the approver's (or, for cancel, the sender's) address
  LinkAction action = LinkAction::Approve;
  std::int64_t expires_at = 0;  // unix seconds
};

std::string sign_link(const LinkClaims& claims, std::string_view key);

// Checks the MAC in constant time, then the expiry against `now`. Errors: "malformed link",
// "invalid signature", "link expired".
util::Result<LinkClaims> verify_link(std::string_view token, std::string_view key, std::int64_t now);

}  // namespace preflight::web
