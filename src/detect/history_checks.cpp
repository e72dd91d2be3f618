// First-time, look-alike, typo and same-name checks against what the organisation knows; see
// recipient_checks.hpp.
#include <algorithm>
#include <set>
#include <unordered_map>

#include "preflight/detect/lookalike.hpp"
#include "preflight/detect/recipient_checks.hpp"
#include "preflight/util/charset.hpp"
#include "preflight/util/strings.hpp"

namespace preflight::detect {

namespace {

std::int64_t count(std::size_t n) { return static_cast<std::int64_t>(n); }

std::vector<mail::Address> external_recipients(const mail::Envelope& env, const Organisation& org) {
  std::vector<mail::Address> out;
  for (const auto& r : env.recipients)
    if (!r.domain.empty() && !org.is_internal(r.domain)) out.push_back(r);
  return out;
}

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::string lower_addr(const mail::Address& a) { return util::to_lower(a.local) + "@" + normalise_domain(a.domain); }

// The context's answers for one message's checks, each asked once: a mail to 10,000 addresses at a few
// dozen domains asks about each domain once and about each address once, not once per check.
class Lookups {
 public:
  Lookups(const Context& ctx, std::string sender) : ctx_(ctx), sender_(std::move(sender)) {}
  const Context& context() const { return ctx_; }
  const std::string& sender() const { return sender_; }
  // Context::sent_to(sender(), address)
  std::int64_t sent_to(const std::string& address) {
    auto it = sent_to_.find(address);
    if (it == sent_to_.end()) it = sent_to_.emplace(address, ctx_.sent_to(sender_, address)).first;
    return it->second;
  }
  std::int64_t sent_to_domain(const std::string& org_domain) {
    auto it = sent_to_domain_.find(org_domain);
    if (it == sent_to_domain_.end()) it = sent_to_domain_.emplace(org_domain, ctx_.sent_to_domain(org_domain)).first;
    return it->second;
  }
  // Context::known_addresses_at(domain)
  const std::vector<KnownAddress>& known_at(const std::string& domain) {
    auto it = known_at_.find(domain);
    if (it == known_at_.end()) it = known_at_.emplace(domain, ctx_.known_addresses_at(domain)).first;
    return *it->second;
  }

 private:
  const Context& ctx_;
  std::string sender_;
  std::unordered_map<std::string, std::int64_t> sent_to_, sent_to_domain_;
  std::unordered_map<std::string, KnownAddressList> known_at_;
};

// An unknown address one or two edits from an address the organisation has written to at that domain.
// An address someone in the organisation has written to is known: never a typo of another. At a free-mail
// provider the addresses belong to strangers (sakamoto1998 and okamoto1998 at nifty.com are two
// customers), so there only an address this sender has written to is one they could have mistyped.
std::string address_typo(const mail::Address& a, Lookups& look) {
  std::string local = util::to_lower(a.local);
  const auto& known = look.known_at(normalise_domain(a.domain));
  std::string addr = lower_addr(a);
  if (std::any_of(known.begin(), known.end(), [&](const KnownAddress& k) { return k.address == addr; })) return {};
  bool free_mail = is_free_mail(organisational_domain(a.domain));
  bool ascii = is_ascii(local);
  for (const auto& k : known) {
    std::string_view klocal = std::string_view(k.address).substr(0, k.address.rfind('@'));
    std::size_t most = std::min(local.size(), klocal.size()) >= 6 ? 2 : 1;
    // ASCII: lengths further apart than `most` are more edits apart (saves the distance of most candidates)
    if (ascii && std::max(local.size(), klocal.size()) - std::min(local.size(), klocal.size()) > most &&
        is_ascii(klocal))
      continue;
    int d = edit_distance(local, klocal);
    if (d < 1 || d > static_cast<int>(most)) continue;
    if (free_mail && look.sent_to(k.address) == 0) continue;
    return addr + " ~ " + k.address;
  }
  return {};
}

// The display name is one of this sender's correspondents, but at another company: 同姓同名 or the wrong
// 佐藤さん picked by autocomplete, which offers what the sender wrote to before. Only for an address this
// sender has never written to (nor heard from): a correspondent of theirs is who they meant. A namesake only
// colleagues know is not in the sender's autocomplete (common names collide across thousands of contacts).
std::string same_name_elsewhere(const mail::Address& a, Lookups& look) {
  std::string name = util::nfkc(std::string(util::trim(a.display_name)));
  if (name.size() < 2) return {};
  if (look.sent_to(lower_addr(a)) > 0) return {};
  std::string own = organisational_domain(a.domain);
  for (const auto& k : look.context().known_by_name(name)) {
    std::string kdomain = k.address.substr(k.address.rfind('@') + 1);
    if (organisational_domain(kdomain) == own || look.sent_to(k.address) == 0) continue;
    return name + " <" + lower_addr(a) + "> known as " + k.address;
  }
  return {};
}

bool unknown_to_organisation(const mail::Address& r, const Context& ctx) {
  return !ctx.written_to_by_anyone(lower_addr(r));
}

void first_time(const std::vector<mail::Address>& ext, Lookups& look, Facts& out) {
  StringList addresses, org_wide, domains;
  std::set<std::string> seen_domains;
  for (const auto& r : ext) {
    std::string addr = lower_addr(r);
    if (look.sent_to(addr) == 0) {
      addresses.push_back(addr);
      if (unknown_to_organisation(r, look.context())) org_wide.push_back(addr);
    }
    std::string org_domain = organisational_domain(r.domain);
    if (seen_domains.insert(org_domain).second && look.sent_to_domain(org_domain) == 0) domains.push_back(org_domain);
  }
  out.set("recipients.first_time_count", count(addresses.size()));
  out.set("recipients.first_time_org_count", count(org_wide.size()));
  out.set("recipients.first_time_org", std::move(org_wide));
  out.set("recipients.first_time", std::move(addresses));
  out.set("recipients.first_time_domains_count", count(domains.size()));
  out.set("recipients.first_time_domains", std::move(domains));
}

// Look-alikes of the organisation's own and partner domains and of the domains in history, for each
// external host once; a domain that is itself known (history, partners, internal) resembles nothing.
void lookalike_facts(const std::vector<mail::Address>& ext, const Organisation& org, Lookups& look, Facts& out) {
  auto own = org.domain_index ? org.domain_index : std::make_shared<const DomainIndex>(org.own_domains());
  auto seen = look.context().known_domains();
  std::set<std::string> internal, checked;
  for (const auto& d : org.internal_domains) internal.insert(organisational_domain(d));
  StringList all, of_internal;
  auto add = [](StringList& list, const std::string& e) {
    if (std::find(list.begin(), list.end(), e) == list.end()) list.push_back(e);
  };
  for (const auto& r : ext) {
    std::string host = normalise_domain(r.domain), d = organisational_domain(host);
    if (!checked.insert(host).second || own->knows(d) || seen->knows(d) || look.sent_to_domain(d) > 0) continue;
    auto found = own->find(host);
    for (auto& l : seen->find(host)) found.push_back(std::move(l));
    for (const auto& l : found) {
      std::string e = l.domain + (l.known.empty() ? "" : " ~ " + l.known) + " (" + l.how + ")";
      add(all, e);
      if (!l.known.empty() && internal.count(organisational_domain(l.known))) add(of_internal, e);
    }
  }
  out.set("recipients.lookalike_count", count(all.size()));
  out.set("recipients.lookalike", std::move(all));
  out.set("recipients.lookalike_internal_count", count(of_internal.size()));
  out.set("recipients.lookalike_internal", std::move(of_internal));
}

}  // namespace

bool Context::written_to_by_anyone(const std::string& address) const {
  auto known = known_addresses_at(address.substr(address.rfind('@') + 1));
  return std::any_of(known->begin(), known->end(), [&](const KnownAddress& k) { return k.address == address; });
}

void history_facts(const mail::Envelope& env, const mail::Message& msg, const Organisation& org, const Context& ctx,
                   Facts& out) {
  auto ext = external_recipients(env, org);
  Lookups look(ctx, util::to_lower(env.sender.addr()));
  first_time(ext, look, out);
  lookalike_facts(ext, org, look, out);
  StringList typos, names;
  for (const auto& r : ext) {
    std::string d = organisational_domain(r.domain);
    if (look.sent_to_domain(d) > 0 && look.sent_to(lower_addr(r)) == 0)
      if (std::string t = address_typo(r, look); !t.empty()) typos.push_back(t);
  }
  for (const auto& a : msg.shown_addresses())
    if (!a.domain.empty() && !org.is_internal(a.domain))
      if (std::string n = same_name_elsewhere(a, look); !n.empty()) names.push_back(n);
  out.set("recipients.address_typo", std::move(typos));
  out.set("recipients.same_name_elsewhere", std::move(names));
}

}  // namespace preflight::detect
