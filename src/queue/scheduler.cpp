// The scheduler's passes and notices; see queue.hpp.
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "preflight/context/store_context.hpp"
#include "preflight/mail/address.hpp"
#include "preflight/mail/parse.hpp"
#include "preflight/mail/review.hpp"
#include "preflight/queue/queue.hpp"
#include "preflight/queue/scheduler.hpp"
#include "preflight/util/strings.hpp"
#include "notice_spec.hpp"

namespace preflight::queue {

namespace {

using store::State;


NoticeLanguage language(const nlohmann::json& d) {
  std::string l = d.value("language", "ja+en");
  return l == "ja" ? NoticeLanguage::Japanese : l == "en" ? NoticeLanguage::English : NoticeLanguage::JapaneseEnglish;
}

std::vector<std::string> strings(const nlohmann::json& d, const char* key) {
  std::vector<std::string> out;
  if (d.contains(key) && d[key].is_array())
    for (const auto& v : d[key])
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

NoticeLink link_for(const std::string& action, const std::string& url) {
  if (action == "approve") return {"承認する", "Approve", url};
  if (action == "reject") return {"却下する", "Reject", url};
  if (action == "approve-bcc") return {"Bcc に変えて承認する", "Approve as Bcc", url};
  if (action == "revoke") return {"リンクを取り消してファイルを削除する", "Revoke the links and delete the files", url};
  return {"送信を取り消す", "Cancel sending", url};
}

constexpr int kReleasesPerPass = 50;
constexpr std::size_t kNoticeTextBytes = 8 * 1024;  // of each text part an approver's notice shows

// The links an approver's notice carries: approve and reject, and approve as Bcc when the policy offered it.
std::vector<std::string> approver_actions(const store::HeldMessage& m) {
  std::vector<std::string> actions = {"approve", "reject"};
  if (details_of(m).value("bcc_option", nlohmann::json()).is_object()) actions.push_back("approve-bcc");
  return actions;
}

// What an approver reviews in the notice: every text part of the held mail, cut and marked, and how its
// alternatives differ (mail::review_texts). A spool file that cannot be read or parsed adds nothing.
void add_review(NoticeInput& in, const util::Result<std::string>& raw) {
  if (!raw) return;
  auto msg = mail::parse_message(*raw);
  if (!msg) return;
  auto review = mail::review_texts(*msg, kNoticeTextBytes);
  for (const auto& t : review.texts) {
    NoticeBody b{t.content_type, t.text, "", ""};
    if (t.truncated())
      b.mark_ja = mail::truncation_mark(t.text.size(), t.full_bytes, true),
      b.mark_en = mail::truncation_mark(t.text.size(), t.full_bytes, false);
    in.bodies.push_back(std::move(b));
  }
  in.differences = review.differences;
}

store::AuditEntry scheduler_audit(const std::string& id, std::int64_t now, const std::string& action,
                                  const std::string& comment = "") {
  return {id, now, "scheduler", "localhost", action, "", "", comment};
}

}  // namespace

NoticeInput Queue::notice_input(const store::HeldMessage& m, NoticeKind kind, const std::string& to,
                                const std::string& comment) {
  auto d = details_of(m);
  NoticeInput in;
  in.kind = kind;
  in.language = language(d);
  in.charset = d.value("charset", "utf-8") == "iso-2022-jp" ? NoticeCharset::Iso2022jp : NoticeCharset::Utf8;
  in.from = settings_.notice_from;
  in.to = to;
  in.held_id = m.id;
  in.original_sender = m.sender;
  in.original_subject = m.subject;
  if (d.contains("recipients") && d["recipients"].is_array())
    for (const auto& r : d["recipients"])
      in.recipients.push_back({r.value("address", ""), r.value("external", false), r.value("first_time", false)});
  if (d.contains("rules") && d["rules"].is_array())
    for (const auto& r : d["rules"]) in.reasons.push_back(r.value("description", r.value("id", "")));
  in.attachment_names = strings(d, "attachments");
  in.approvers = m.approvers;
  in.comment = comment;
  in.released = m.release_on_expiry;
  in.release_at = m.due_at;
  in.expires_at = m.expires_at;
  in.now = clock_();
  if (kind == NoticeKind::ApprovalRequested) add_review(in, spool_.load(m.id));
  return in;
}

// The row keeps what the links will do, not the links: they are signed when the notice is sent.
void Queue::enqueue(const NoticeInput& in, const std::vector<std::string>& actions, std::int64_t links_until) {
  std::string spec = detail::notice_spec_json({in, actions, links_until});
  if (auto ok = store_->enqueue_notice({0, in.held_id, in.to, spec, in.now, 0}); !ok)
    spdlog::warn("held={} notice to {} not queued: {}", in.held_id, in.to, ok.error());
}

void Queue::notify(const store::HeldMessage& m, NoticeKind kind, const std::string& to, const std::string& comment,
                   const std::vector<std::string>& actions) {
  std::int64_t until = m.kind == store::HoldKind::Approval ? m.expires_at : m.due_at;
  enqueue(notice_input(m, kind, to, comment), actions, until);
}

// The mail a stored notice becomes, with its links signed now; a row an older version stored as a
// composed mail is sent as it is.
std::string Queue::notice_mail(const store::Notice& n) const {
  auto spec = detail::parse_notice_spec(n.raw);
  if (!spec) return n.raw;
  for (const auto& action : spec->actions)
    if (std::string url = links_ ? links_(spec->input.held_id, spec->input.to, action, spec->links_until) : "";
        !url.empty())
      spec->input.links.push_back(link_for(action, url));
  return compose_notice(spec->input);
}

void Queue::notify_hold(const store::HeldMessage& m) {
  if (m.kind == store::HoldKind::Delay) {
    notify(m, NoticeKind::HeldForDelay, m.sender, "", {"cancel"});
    return;
  }
  for (const auto& a : m.approvers) notify(m, NoticeKind::ApprovalRequested, a, "", approver_actions(m));
  if (std::find(m.approvers.begin(), m.approvers.end(), mail::mailbox_key(m.sender)) == m.approvers.end())
    notify(m, NoticeKind::ApprovalPending, m.sender, "", {"cancel"});
}

void Queue::expire(const store::HeldMessage& m, std::int64_t now) {
  auto moved = store_->transition(m.id, State::Held, State::Expired, scheduler_audit(m.id, now, "expire"));
  if (!moved || !*moved) return;
  notify(m, NoticeKind::Expired, m.sender, "", {});
  if (!m.release_on_expiry) return_expired(m, now);
}

void Queue::return_expired(const store::HeldMessage& m, std::int64_t now) {
  auto moved = store_->transition(m.id, State::Expired, State::Returned, scheduler_audit(m.id, now, "return"));
  if (!moved) spdlog::warn("held={} expired but not yet returned (next pass retries): {}", m.id, moved.error());
}

// Expired messages that should have been returned (the store failed, or a crash, between the two
// steps): without this they would stay "expired" for ever, neither released nor purged.
void Queue::return_stranded(std::int64_t now) {
  auto expired = store_->list({State::Expired, "", 100, 0});
  if (!expired) return spdlog::warn("scheduler: {}", expired.error());
  for (const auto& m : *expired)
    if (!m.release_on_expiry) return_expired(m, now);
}

void Queue::escalate(const store::HeldMessage& m, std::int64_t now) {
  std::vector<std::string> deputies = strings(details_of(m), "deputies");
  std::vector<std::string> approvers = m.approvers;
  std::vector<std::string> added;
  for (const auto& d : deputies)
    if (std::find(approvers.begin(), approvers.end(), d) == approvers.end()) approvers.push_back(d), added.push_back(d);
  std::string comment = added.empty() ? "no deputy known" : "asked " + util::join(added, ", ");
  auto ok = store_->update_approvers(m.id, approvers, 0, scheduler_audit(m.id, now, "escalate", comment));
  if (!ok || !*ok) return;
  store::HeldMessage updated = m;
  updated.approvers = approvers;
  for (const auto& a : added) notify(updated, NoticeKind::ApprovalRequested, a, "", approver_actions(m));
}

// Released mail left: history, thread and exposure learn from it, with To/Cc as the release's edits (the
// planned ones, or those of "approve as Bcc") left them.
void Queue::learn(const store::HeldMessage& m, const std::string& raw, const std::vector<action::HeaderEdit>& edits,
                  std::int64_t now) {
  auto msg = mail::parse_message(raw);
  if (!msg) return spdlog::warn("held={} not learned from: {}", m.id, msg.error());
  mail::Envelope env;
  env.sender = mail::parse_addr_spec(m.sender);
  for (const auto& r : m.recipients) env.recipients.push_back(mail::parse_addr_spec(r));
  auto policy = settings_.policy ? settings_.policy() : nullptr;
  context::record_sent(*store_, env, *msg, action::shown_to_cc(*msg, edits),
                       policy ? policy->organisation : detect::Organisation{}, now);
}

// One message is leased just before it is sent: a lease taken for a whole batch could run out while
// earlier messages are still being sent, and another scheduler would then send the same mail again.
int Queue::release_ready() {
  int sent = 0;
  for (int i = 0; i < kReleasesPerPass; ++i) {
    auto next = store_->lease_releasable(clock_(), settings_.lease_seconds, 1);
    if (!next) {
      spdlog::warn("scheduler: {}", next.error());
      break;
    }
    if (next->empty()) break;
    sent += release_one(next->front());
  }
  return sent;
}

int Queue::send_notices() {
  // A notice is retried on every pass for a week, however long the MTA is down; only then given up.
  auto pending = store_->pending_notices(100, clock_() - kNoticeLifetime);
  if (!pending) return 0;
  int sent = 0;
  for (const auto& n : *pending) {
    auto ok = smtp_send(settings_.reinject, settings_.notice_from, {n.rcpt}, notice_mail(n));
    if (ok) {
      // Not marked sent: it goes out once more on the next pass (a duplicate notice, never a lost one).
      if (auto marked = store_->notice_sent(n.id, clock_()); !marked)
        spdlog::warn("notice {} sent but not marked: {}", n.id, marked.error());
      ++sent;
    } else {
      if (auto noted = store_->notice_failed(n.id, ok.error()); !noted)
        spdlog::warn("notice {} failure not recorded: {}", n.id, noted.error());
      spdlog::warn("notice {} to {} not sent: {}", n.id, n.rcpt, ok.error());
    }
  }
  return sent;
}

void Queue::release_due(const store::HeldMessage& m, std::int64_t now) {
  auto moved = store_->transition(m.id, State::Held, State::Approved, scheduler_audit(m.id, now, "release-due"));
  if (!moved) spdlog::warn("held={} due but not yet released (next pass retries): {}", m.id, moved.error());
}

void Queue::tick() {
  std::int64_t now = clock_();
  if (auto due = store_->due(now)) {
    for (const auto& m : *due) {
      if (m.kind == store::HoldKind::Delay)
        release_due(m, now);
      else if (m.expires_at <= now)
        expire(m, now);
      else
        escalate(m, now);
    }
  } else {
    spdlog::warn("scheduler: {}", due.error());
  }
  return_stranded(now);
  release_ready();
  send_notices();
  if (auto gone = store_->purge_notices(now - settings_.notice_retention_seconds); !gone)
    spdlog::warn("scheduler: {}", gone.error());
}

Scheduler::Scheduler(Pass pass, std::chrono::milliseconds interval) : pass_(std::move(pass)), interval_(interval) {}

void Scheduler::start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!thread_.joinable() && !stopping_) thread_ = std::thread([this] { loop(); });
}

void Scheduler::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::int64_t Scheduler::failed_passes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failed_;
}

void Scheduler::loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    std::string error;
    try {
      pass_();
    } catch (const std::exception& e) {
      error = e.what();
    } catch (...) {
      error = "unknown exception";
    }
    lock.lock();
    if (!error.empty()) {
      ++failed_;
      spdlog::error("scheduler: pass failed ({}); the next pass runs in {} ms", error, interval_.count());
    }
    cv_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace preflight::queue
