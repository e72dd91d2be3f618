// Mailing lists, important recipients, company names and split mass mailing; see recipient_checks.hpp.
#include <algorithm>
#include <set>

#include "preflight/detect/recipient_checks.hpp"
#include "preflight/detect/recipients.hpp"
#include "preflight/util/charset.hpp"
#include "preflight/util/strings.hpp"

namespace preflight::detect {

namespace {

StringList matching(const mail::Envelope& env, const std::vector<std::string>& patterns) {
  StringList out;
  for (const auto& r : env.recipients)
    for (const auto& p : patterns)
      if (glob_match(p, r.addr())) {
        out.push_back(util::to_lower(r.addr()));
        break;
      }
  return out;
}

// The text a sender addresses a company in: subject, the opening of the body, attachment names. What an
// attached message says and holds is someone else's addressing, not the sender's.
std::string greeting_text(const mail::Message& msg) {
  std::string text = msg.subject + "\n";
  for (std::size_t i = 0; i < msg.texts.size(); ++i)
    if (i >= msg.text_info.size() || msg.text_info[i].forwarded == 0) {
      text += msg.texts[i].substr(0, 4000) + "\n";
      break;
    }
  for (const auto& a : msg.attachments)
    if (a.forwarded == 0) text += a.filename + "\n";
  return util::to_lower(util::nfkc(text));
}

bool mentions(const std::string& text, const Partner& p) {
  return std::any_of(p.needles.begin(), p.needles.end(),
                     [&](const std::string& n) { return text.find(n) != std::string::npos; });
}

bool addressed_to(const Partner& p, const std::set<std::string>& recipient_orgs) {
  return std::any_of(p.domains.begin(), p.domains.end(),
                     [&](const std::string& d) { return recipient_orgs.count(organisational_domain(d)) > 0; });
}

// A mail to one company that names another known company: mail merge or wrong attachment.
void company_facts(const mail::Envelope& env, const mail::Message& msg, const Organisation& org, Facts& out) {
  std::set<std::string> orgs;
  for (const auto& r : env.recipients)
    if (!r.domain.empty() && !org.is_internal(r.domain)) orgs.insert(organisational_domain(r.domain));
  std::string text = greeting_text(msg);
  StringList mentioned, mismatched;
  bool any_recipient_partner = false;
  for (const auto& p : org.partners) any_recipient_partner = any_recipient_partner || addressed_to(p, orgs);
  for (const auto& p : org.partners) {
    if (!mentions(text, p)) continue;
    mentioned.push_back(p.company);
    if (!orgs.empty() && any_recipient_partner && !addressed_to(p, orgs)) mismatched.push_back(p.company);
  }
  out.set("content.companies_mentioned", std::move(mentioned));
  out.set("content.company_mismatch", std::move(mismatched));
}

}  // namespace

void prepare_partner(Partner& p) {
  p.needles.clear();
  std::vector<std::string> names = p.names;
  names.push_back(p.company);
  for (const auto& n : names) {
    std::string needle = util::to_lower(util::nfkc(n));
    if (needle.size() >= 3) p.needles.push_back(std::move(needle));
  }
}

void list_facts(const mail::Envelope& env, const mail::Message& msg, const Organisation& org, const Context& ctx,
                Facts& out) {
  out.set("recipients.mailing_list", matching(env, org.mailing_lists));
  out.set("recipients.important", matching(env, org.important));
  company_facts(env, msg, org, out);
  // A mail that exposes nobody is never part of a split mass mailing, whatever the sender did before.
  std::int64_t exposed = exposed_external(env, msg, org);
  std::int64_t before = exposed == 0 ? 0 : ctx.recently_exposed(util::to_lower(env.sender.addr()));
  out.set("sender.recent_visible_external", before + exposed);
}

}  // namespace preflight::detect
