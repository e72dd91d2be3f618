// First-time, look-alike, typo and same-name checks against what the organisation knows; see
// recipient_checks.hpp.
#include <algorithm>
#include <set>

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

std::string lower_addr(const mail::Address& a) { return util::to_lower(a.local) + "@" + normalise_domain(a.domain); }

// An unknown address one or two edits from an address the organisation has written to at that domain.
std::string address_typo(const mail::Address& a, const Context& ctx) {
  std::string local = util::to_lower(a.local);
  for (const auto& k : ctx.known_addresses_at(normalise_domain(a.domain))) {
    std::string klocal = k.address.substr(0, k.address.rfind('@'));
    int d = edit_distance(local, klocal);
    if (d >= 1 && d <= (std::min(local.size(), klocal.size()) >= 6 ? 2 : 1)) return lower_addr(a) + " ~ " + k.address;
  }
  return {};
}

// The display name is known, but at another company: 同姓同名 or the wrong 佐藤さん picked by autocomplete.
std::string same_name_elsewhere(const mail::Address& a, const Context& ctx) {
  std::string name = util::nfkc(std::string(util::trim(a.display_name)));
  if (name.size() < 2) return {};
  std::string own = organisational_domain(a.domain);
  for (const auto& k : ctx.known_by_name(name)) {
    std::string kdomain = k.address.substr(k.address.rfind('@') + 1);
    if (organisational_domain(kdomain) != own) return name + " <" + lower_addr(a) + "> known as " + k.address;
  }
  return {};
}

void first_time(const std::vector<mail::Address>& ext, const std::string& sender, const Context& ctx, Facts& out) {
  StringList addresses, domains;
  std::set<std::string> seen_domains;
  for (const auto& r : ext) {
    std::string addr = lower_addr(r);
    if (ctx.sent_to(sender, addr) == 0) addresses.push_back(addr);
    std::string org_domain = organisational_domain(r.domain);
    if (seen_domains.insert(org_domain).second && ctx.sent_to_domain(org_domain) == 0) domains.push_back(org_domain);
  }
  out.set("recipients.first_time_count", count(addresses.size()));
  out.set("recipients.first_time", std::move(addresses));
  out.set("recipients.first_time_domains_count", count(domains.size()));
  out.set("recipients.first_time_domains", std::move(domains));
}

}  // namespace

void history_facts(const mail::Envelope& env, const mail::Message& msg, const Organisation& org, const Context& ctx,
                   Facts& out) {
  auto ext = external_recipients(env, org);
  first_time(ext, util::to_lower(env.sender.addr()), ctx, out);
  std::vector<std::string> known = ctx.known_domains();
  for (const auto& p : org.partners)
    for (const auto& d : p.domains) known.push_back(organisational_domain(d));
  // A colleague's address with the organisation's own domain mistyped is the classic case.
  for (const auto& d : org.internal_domains) known.push_back(organisational_domain(d));
  // History also holds partner and internal domains: each known domain once, or a look-alike is listed twice.
  std::sort(known.begin(), known.end());
  known.erase(std::unique(known.begin(), known.end()), known.end());
  StringList lookalikes, typos, names;
  std::set<std::string> checked;
  for (const auto& r : ext) {
    std::string d = organisational_domain(r.domain);
    if (checked.insert(d).second)
      for (const auto& l : find_lookalikes(d, known))
        lookalikes.push_back(l.domain + (l.known.empty() ? "" : " ~ " + l.known) + " (" + l.how + ")");
    if (ctx.sent_to_domain(d) > 0 && ctx.sent_to(util::to_lower(env.sender.addr()), lower_addr(r)) == 0)
      if (std::string t = address_typo(r, ctx); !t.empty()) typos.push_back(t);
  }
  for (const char* h : {"To", "Cc"})
    for (const auto& a : msg.addresses(h))
      if (!a.domain.empty() && !org.is_internal(a.domain))
        if (std::string n = same_name_elsewhere(a, ctx); !n.empty()) names.push_back(n);
  out.set("recipients.lookalike_count", count(lookalikes.size()));
  out.set("recipients.lookalike", std::move(lookalikes));
  out.set("recipients.address_typo", std::move(typos));
  out.set("recipients.same_name_elsewhere", std::move(names));
}

}  // namespace preflight::detect
