// Recipient, sender and message facts; see recipients.hpp.
#include "preflight/detect/recipients.hpp"

#include <set>

#include "preflight/util/charset.hpp"
#include "preflight/util/strings.hpp"

namespace preflight::detect {

namespace {
std::int64_t count(std::size_t n) { return static_cast<std::int64_t>(n); }

std::set<std::string> external_keys(const std::vector<mail::Address>& addresses, const Organisation& org) {
  std::set<std::string> out;
  for (const auto& a : addresses)
    if (!a.domain.empty() && !org.is_internal(a.domain))
      out.insert(util::to_lower(a.local) + "@" + normalise_domain(a.domain));
  return out;
}
}  // namespace

std::int64_t exposed_external(const std::vector<mail::Address>& shown, const std::vector<mail::Address>& recipients,
                              const Organisation& org) {
  std::set<std::string> visible = external_keys(shown, org), receivers = external_keys(recipients, org);
  if (receivers.size() >= 2) return count(visible.size());  // every shown address has another reader
  if (receivers.empty()) return 0;
  return count(visible.size() - visible.count(*receivers.begin()));  // its one reader's own address is no news
}

std::int64_t exposed_external(const mail::Envelope& env, const mail::Message& msg, const Organisation& org) {
  return exposed_external(msg.shown_addresses(), env.recipients, org);
}

void recipient_facts(const mail::Envelope& env, const mail::Message& msg, const Organisation& org,
                     Facts& out) {
  std::int64_t internal = 0;
  StringList external;
  std::set<std::string> external_orgs;
  for (const auto& r : env.recipients) {
    if (org.is_internal(r.domain)) {
      ++internal;
    } else {
      external.push_back(r.addr());
      external_orgs.insert(organisational_domain(r.domain));
    }
  }
  std::set<std::string> visible, visible_orgs;
  for (const auto& a : msg.shown_addresses())
    if (!a.domain.empty() && !org.is_internal(a.domain)) {
      visible.insert(a.local + "@" + normalise_domain(a.domain));
      visible_orgs.insert(organisational_domain(a.domain));
    }
  auto ext = count(external.size());
  out.set("recipients.total", count(env.recipients.size()));
  out.set("recipients.internal", internal);
  out.set("recipients.external", ext);
  out.set("recipients.external_domains", count(external_orgs.size()));
  out.set("recipients.external_addresses", std::move(external));
  out.set("recipients.to", count(msg.addresses("To").size() + msg.addresses("Resent-To").size()));
  out.set("recipients.cc", count(msg.addresses("Cc").size() + msg.addresses("Resent-Cc").size()));
  out.set("recipients.bcc", count(msg.addresses("Bcc").size()));
  out.set("recipients.visible_external", count(visible.size()));
  out.set("recipients.visible_external_domains", count(visible_orgs.size()));
  out.set("recipients.exposed_external", exposed_external(env, msg, org));
  out.set("recipients.minority_external",
          ext >= 1 && ext <= org.minority.max_external && internal >= org.minority.min_internal);
}

void sender_facts(const mail::Envelope& env, const Organisation& org, Facts& out) {
  std::string addr = env.sender.addr();
  StringList groups;
  for (const auto& [name, patterns] : org.groups)
    for (const auto& p : patterns)
      if (glob_match(p, addr)) {
        groups.push_back(name);
        break;
      }
  out.set("sender.address", addr);
  out.set("sender.internal", !env.sender.domain.empty() && org.is_internal(env.sender.domain));
  out.set("sender.groups", std::move(groups));
  out.set("sender.authenticated", !env.auth_user.empty());
}

void message_facts(const mail::Message& msg, Facts& out) {
  StringList names;
  for (const auto& a : msg.attachments)
    if (!a.filename.empty()) names.push_back(util::nfkc(a.filename));
  out.set("message.size", count(msg.size));
  out.set("message.subject", util::nfkc(msg.subject));
  out.set("message.attachments", count(msg.attachments.size()));
  out.set("message.forwarded_messages", count(static_cast<std::size_t>(msg.forwarded_messages)));
  out.set("message.attachment_names", std::move(names));
  out.set("message.header_cut", msg.header_cut);
}

}  // namespace preflight::detect
