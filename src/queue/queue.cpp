// Holding messages and carrying out decisions; see queue.hpp.
#include "preflight/queue/queue.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <set>

#include "preflight/detect/organisation.hpp"
#include "preflight/mail/address.hpp"
#include "preflight/util/strings.hpp"

namespace preflight::queue {

namespace {

using store::State;

// The facts a rule saw, as an object (fact name -> value text).
nlohmann::json facts_of(const policy::Reason& r) {
  nlohmann::json facts = nlohmann::json::object();
  for (const auto& [name, value] : r.facts) facts[name] = value;
  return facts;
}

// A list fact (empty when the detectors did not produce it).
const detect::StringList& list_fact(const detect::Facts& facts, const std::string& name) {
  static const detect::StringList none;
  const detect::FactValue* v = facts.get(name);
  return v && std::holds_alternative<detect::StringList>(*v) ? std::get<detect::StringList>(*v) : none;
}

// The entry of the list that is `key` itself or starts with it followed by a space ("dom ~ known (how)").
const std::string* entry_for(const detect::StringList& list, const std::string& key) {
  auto it = std::find_if(list.begin(), list.end(), [&](const std::string& e) {
    return util::iequals(e, key) || (e.size() > key.size() && e[key.size()] == ' ' && util::istarts_with(e, key));
  });
  return it == list.end() ? nullptr : &*it;
}

bool listed(const detect::StringList& list, const std::string& key) { return entry_for(list, key) != nullptr; }

// What a look-alike domain resembles and how ("example.co.jp (suffix)"), empty when it is none.
std::string resembles(const detect::Facts& facts, const std::string& org_domain) {
  const std::string* e = entry_for(list_fact(facts, "recipients.lookalike"), org_domain);
  if (!e) return {};
  std::size_t tilde = e->find(" ~ ");
  return tilde == std::string::npos ? e->substr(std::min(e->size(), org_domain.size() + 1)) : e->substr(tilde + 3);
}

// One recipient with the marks the web queue shows: internal/external, first time, look-alike, list.
// The marks come from the facts the detectors computed, whether or not a rule looked at them.
nlohmann::json recipient_marks(const action::HoldRequest& in, const mail::Address& r) {
  const auto& org = in.policy.organisation;
  bool external = !org.is_internal(r.domain);
  std::string addr = util::to_lower(r.addr());
  std::string org_domain = detect::organisational_domain(util::to_lower(r.domain));
  bool lookalike = external && listed(list_fact(in.facts, "recipients.lookalike"), org_domain);
  return {{"address", r.addr()}, {"name", r.display_name}, {"external", external},
          {"first_time", external && listed(list_fact(in.facts, "recipients.first_time"), addr)},
          {"lookalike", lookalike}, {"lookalike_of", lookalike ? resembles(in.facts, org_domain) : ""},
          {"mailing_list", listed(list_fact(in.facts, "recipients.mailing_list"), addr)}};
}

// What approving as Bcc would do, when the policy offers it and the rules did not already ask for it:
// the To/Cc addresses it hides and the header edits that replace the planned ones.
nlohmann::json bcc_option(const action::HoldRequest& in) {
  const auto& spec = in.verdict.hold;
  if (!spec.allow_bcc || in.verdict.bcc) return nullptr;
  policy::Verdict as_bcc = in.verdict;
  as_bcc.bcc = true;
  as_bcc.bcc_scope = spec.allow_bcc_scope;
  nlohmann::json hidden = nlohmann::json::array();
  for (const auto& h : in.message.address_headers)
    if (mail::shows_recipients(h.name))
      for (const auto& a : h.addresses)
        if (spec.allow_bcc_scope == policy::BccScope::All || !in.policy.organisation.is_internal(a.domain))
          hidden.push_back(a.addr());
  auto edits = action::plan(as_bcc, in.message, in.policy.organisation).edits;
  bool all = spec.allow_bcc_scope == policy::BccScope::All;
  return {{"scope", all ? "all" : "external"}, {"hidden", hidden},
          {"edits", nlohmann::json::parse(action::edits_to_json(edits))}};
}

std::string details_json(const action::HoldRequest& in, const std::vector<std::string>& deputies) {
  const auto& org = in.policy.organisation;
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& r : in.verdict.reasons)
    if (r.mode == policy::Mode::Enforce)
      rules.push_back({{"id", r.rule_id}, {"description", r.description.empty() ? r.rule_id : r.description},
                       {"action", policy::action_name(r.action)}, {"facts", facts_of(r)}});
  nlohmann::json rcpts = nlohmann::json::array();
  std::set<std::string> external_domains;  // what an approval of this message is counted against (fatigue)
  for (const auto& r : in.envelope.recipients) {
    rcpts.push_back(recipient_marks(in, r));
    if (!org.is_internal(r.domain)) external_domains.insert(detect::organisational_domain(util::to_lower(r.domain)));
  }
  nlohmann::json headers = nlohmann::json::array();  // To and Cc as the recipients see them
  for (const auto& h : in.message.address_headers)
    if (mail::shows_recipients(h.name))
      for (const auto& a : h.addresses) {
        nlohmann::json mark = recipient_marks(in, a);
        mark["header"] = h.name;
        headers.push_back(std::move(mark));
      }
  nlohmann::json attachments = nlohmann::json::array();
  for (const auto& a : in.message.attachments) attachments.push_back(a.filename);
  std::string from_name;
  for (const auto& a : in.message.addresses("From")) from_name = a.display_name;
  auto dir = org.directory.find(mail::mailbox_key(in.envelope.sender.addr()));
  std::string department = dir == org.directory.end() ? "" : dir->second.department;
  return nlohmann::json{{"rules", rules}, {"recipients", rcpts}, {"header_recipients", headers},
                        {"attachments", attachments}, {"language", org.notice_language},
                        {"charset", org.notice_charset}, {"deputies", deputies}, {"client", in.envelope.client_addr},
                        {"department", department}, {"from_name", from_name}, {"bcc_option", bcc_option(in)},
                        {"external_domains", external_domains}, {"waiver", in.verdict.waiver},
                        {"esmtp", {{"mail", in.envelope.mail_params}, {"rcpt", in.envelope.rcpt_params}}}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);  // mail text may be broken UTF-8
}

// The header edits of the held message's Bcc option as stored JSON; empty when it has none.
std::string bcc_edits(const store::HeldMessage& m) {
  auto details = details_of(m);
  if (!details.contains("bcc_option") || !details["bcc_option"].is_object()) return {};
  const auto& edits = details["bcc_option"]["edits"];
  if (!edits.is_array() || !action::edits_from_json(edits.dump())) return {};
  return edits.dump();
}

bool contains(const std::vector<std::string>& list, const std::string& who) {
  std::string key = mail::mailbox_key(who);
  return std::any_of(list.begin(), list.end(), [&](const std::string& a) { return util::iequals(a, key); });
}

}  // namespace

nlohmann::json details_of(const store::HeldMessage& m) {
  auto j = nlohmann::json::parse(m.details_json, nullptr, false);
  return j.is_object() ? j : nlohmann::json::object();
}

const char* decision_name(Decision d) {
  switch (d) {
    case Decision::Approve: return "approve";
    case Decision::Reject: return "reject";
    case Decision::Cancel: return "cancel";
    case Decision::Release: return "release";
  }
  return "?";
}

Queue::Queue(std::shared_ptr<store::Store> store, QueueSettings settings, LinkMaker links, Clock clock)
    : store_(std::move(store)), settings_(std::move(settings)), spool_(settings_.spool_dir), links_(std::move(links)),
      clock_(std::move(clock)) {}

util::Result<std::vector<std::string>> Queue::prepare_and_reconcile() {
  if (auto ok = spool_.prepare(); !ok) return util::Error{ok.error()};
  std::vector<std::string> problems;
  std::set<std::string> rows;
  for (int offset = 0;; offset += 1000) {
    auto page = store_->list({std::nullopt, "", 1000, offset});
    if (!page) return util::Error{page.error()};
    for (const auto& m : *page) {
      rows.insert(m.id);
      bool needs_file = m.state == State::Held || m.state == State::Approved || m.state == State::Expired;
      if (needs_file && !std::filesystem::exists(spool_.path(m.id)))
        problems.push_back("held message " + m.id + " (" + store::state_name(m.state) + ") has no spool file");
    }
    if (page->size() < 1000) break;
  }
  for (const auto& id : spool_.ids())
    if (!rows.count(id)) problems.push_back("orphan spool file kept: " + spool_.path(id));
  return problems;
}

// The MTA may have stopped waiting for the answer and would retry: a copy stored now would be stored again.
constexpr const char* kPastDeadline = "the message's deadline passed (milter.deadline): not stored";

util::Result<std::string> Queue::hold(const action::HoldRequest& in) {
  const auto& spec = in.verdict.hold;
  const auto& org = in.policy.organisation;
  bool approval = in.verdict.action == policy::Action::Approve;
  std::int64_t now = clock_();
  store::HeldMessage m;
  m.id = new_id();
  m.kind = approval ? store::HoldKind::Approval : store::HoldKind::Delay;
  m.queue_id = in.envelope.queue_id;
  m.sender = in.envelope.sender.addr();
  for (const auto& r : in.envelope.recipients) m.recipients.push_back(r.addr());
  m.subject = in.message.subject;
  m.size = static_cast<std::int64_t>(in.raw.size());
  m.created_at = now;
  if (approval) {
    m.approvers = resolve_approvers(spec, m.sender, org);
    if (m.approvers.empty())
      return util::Error{"no approver for " + m.sender + " (rules " +
                         util::join(in.verdict.rule_ids(policy::Mode::Enforce), ",") + "): not in the directory "
                         "or an empty role, and the approver_fallback role '" + org.approver_fallback +
                         "' has nobody either; the mail is tempfailed until the policy names someone"};
    m.expires_at = now + spec.expire_seconds;
    m.escalate_at = spec.escalate_seconds > 0 ? now + spec.escalate_seconds : 0;
    m.release_on_expiry = spec.release_on_expiry;
  } else {
    m.due_at = now + spec.delay_seconds;
  }
  m.details_json = details_json(in, deputies_of(m.approvers, org));
  m.edits_json = action::edits_to_json(in.plan.edits);
  if (in.budget && in.budget->past_deadline()) return util::Error{kPastDeadline};
  if (auto ok = spool_.store(m.id, in.raw); !ok) return util::Error{ok.error()};
  if (in.budget && in.budget->past_deadline()) {  // writing a large spool file took the rest of the time
    spool_.remove(m.id);
    return util::Error{kPastDeadline};
  }
  std::string rules = util::join(in.verdict.rule_ids(policy::Mode::Enforce), ",");
  std::string comment = "rules=" + rules + (in.verdict.waiver.empty() ? "" : "; " + in.verdict.waiver);
  auto ok = store_->insert_held(m, {m.id, now, "milter", in.envelope.client_addr, "hold", "", "held", comment});
  if (!ok) {
    spool_.remove(m.id);  // nothing half-stored
    return util::Error{ok.error()};
  }
  notify_hold(m);
  return m.id;
}

util::Result<State> Queue::decide(const DecisionRequest& req) {
  auto found = store_->get(req.id);
  if (!found) return util::Error{found.error()};
  if (!found->has_value()) return util::Error{"no held message " + req.id};
  const store::HeldMessage& m = **found;
  bool is_sender = mail::mailbox_key(req.actor) == mail::mailbox_key(m.sender);
  bool is_approver = m.kind == store::HoldKind::Approval ? contains(m.approvers, req.actor) : is_sender;
  bool allowed = req.admin || (req.decision == Decision::Cancel ? is_sender || is_approver : is_approver);
  if (!allowed) return util::Error{req.actor + " may not " + decision_name(req.decision) + " message " + req.id};
  if (m.state != State::Held)
    return util::Error{std::string("message ") + req.id + " is already " + store::state_name(m.state)};
  State to = req.decision == Decision::Reject   ? State::Rejected
             : req.decision == Decision::Cancel ? State::Cancelled
                                                : State::Approved;
  store::AuditEntry a{m.id, clock_(), req.actor, req.address, decision_name(req.decision), "", "", req.comment};
  util::Result<bool> moved = false;
  if (req.bcc) {
    auto edits = bcc_edits(m);
    if (req.decision != Decision::Approve || edits.empty())
      return util::Error{"the policy does not offer to approve message " + req.id + " as Bcc"};
    a.action = "approve as bcc";
    moved = store_->transition_with_edits(m.id, State::Held, to, edits, a);
  } else {
    moved = store_->transition(m.id, State::Held, to, a);
  }
  if (!moved) return util::Error{moved.error()};
  if (!*moved) return util::Error{"message " + req.id + " was decided by someone else just now"};
  if (to == State::Approved && m.kind == store::HoldKind::Approval) notify(m, NoticeKind::Approved, m.sender, req.comment, {});
  if (to == State::Rejected) notify(m, NoticeKind::Rejected, m.sender, req.comment, {});
  if (to == State::Cancelled) notify(m, NoticeKind::Cancelled, m.sender, req.comment, {});
  if (req.decision == Decision::Release) release_ready();
  return to;
}

}  // namespace preflight::queue
