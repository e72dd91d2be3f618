// Learning from mail that came in; see received.hpp.
#include "preflight/context/received.hpp"

#include <spdlog/spdlog.h>

#include <map>

#include "preflight/util/strings.hpp"

namespace preflight::context {

namespace {

std::string lowered(const mail::Address& a) {
  return util::to_lower(a.local) + "@" + detect::normalise_domain(a.domain);
}

bool internal(const mail::Address& a, const detect::Organisation& org) {
  return !a.domain.empty() && org.is_internal(a.domain);
}

// Why this mail must teach nothing, or "".
std::string refusal(const mail::Envelope& env, const mail::Message& msg, const detect::Organisation& org) {
  if (env.sender.local.empty() && env.sender.domain.empty()) return "null-sender";
  if (internal(env.sender, org)) return "internal-sender";
  for (const auto& a : msg.addresses("From"))
    if (internal(a, org)) return "internal-sender";
  return {};
}

// The external addresses of From, To and Cc with the last display name written for each.
std::vector<store::DeliveredTo> correspondents(const mail::Message& msg, const detect::Organisation& org) {
  std::map<std::string, store::DeliveredTo> seen;
  for (const char* h : {"From", "To", "Cc"})
    for (const auto& a : msg.addresses(h)) {
      if (a.domain.empty() || internal(a, org)) continue;
      auto& c = seen[lowered(a)];
      c.address = lowered(a);
      c.org_domain = detect::organisational_domain(detect::normalise_domain(a.domain));
      if (!a.display_name.empty()) c.display_name = a.display_name;
    }
  std::vector<store::DeliveredTo> out;
  for (auto& [addr, c] : seen) out.push_back(std::move(c));
  return out;
}

void record_thread(store::Store& st, const mail::Envelope& env, const mail::Message& msg,
                   const std::vector<std::string>& rcpts, std::int64_t now, Received& out) {
  if (msg.message_id.empty()) return;
  std::vector<std::string> visible;
  for (const char* h : {"From", "To", "Cc"})
    for (const auto& a : msg.addresses(h))
      if (!a.domain.empty()) visible.push_back(lowered(a));
  auto from = msg.addresses("From");  // the author: a reply goes to them, not to a bounce address
  std::string author = from.empty() ? util::to_lower(env.sender.addr()) : lowered(from.front());
  if (auto ok = st.record_thread({msg.message_id, author, visible, rcpts, now}); !ok)
    spdlog::warn("qid={} inbound thread not recorded: {}", env.queue_id, ok.error());
  else
    out.thread = true;
}

}  // namespace

Received record_received(store::Store& st, const mail::Envelope& env, const mail::Message& msg,
                         const detect::Organisation& org, std::int64_t now) {
  Received out;
  std::vector<std::string> rcpts;  // internal envelope recipients only: a relayed one learns nothing
  for (const auto& r : env.recipients)
    if (internal(r, org)) rcpts.push_back(lowered(r));
    else ++out.relayed;
  out.skipped = refusal(env, msg, org);
  if (out.skipped.empty() && rcpts.empty()) out.skipped = "no-internal-recipient";
  if (!out.skipped.empty()) return out;
  out.recipients = rcpts.size();
  auto known = correspondents(msg, org);
  if (!known.empty()) {
    if (auto ok = st.record_received(rcpts, known, now); !ok)
      spdlog::warn("qid={} inbound correspondents not recorded: {}", env.queue_id, ok.error());
    else
      out.correspondents = known.size();
  }
  record_thread(st, env, msg, rcpts, now, out);
  return out;
}

}  // namespace preflight::context
