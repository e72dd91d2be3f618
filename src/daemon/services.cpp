// Store, queue, scheduler and web role of preflightd; see services.hpp.
#include "services.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <chrono>

#include "preflight/context/received.hpp"
#include "preflight/daemon/web_sessions.hpp"
#include "preflight/inspect/inspect.hpp"
#include "preflight/mail/parse.hpp"
#include "preflight/mail/review.hpp"
#include "preflight/util/metrics.hpp"
#include "preflight/util/private_files.hpp"
#include "preflight/util/random.hpp"
#include "preflight/util/read_file.hpp"
#include "preflight/util/strings.hpp"

namespace preflight::daemon {

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The HMAC key for action links: 32 random bytes, made once, readable by the daemon's user only (0600,
// also when an older version left it wider).
std::string Services::load_or_create_key() {
  std::string path = config_.state_dir + "/link.key";
  auto stored = util::read_file(path);
  std::string key = stored ? *stored : std::string();  // none yet: made below
  if (key.size() >= 32) return util::restrict_file(path) ? key : std::string();
  key = util::random_bytes(32);
  if (key.size() != 32) return {};
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  bool ok = fd >= 0 && ::fchmod(fd, 0600) == 0 && ::write(fd, key.data(), key.size()) == 32 && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  return ok ? key : std::string();
}

namespace {

using nlohmann::json;
constexpr std::size_t kMaxPreview = 64 * 1024;  // bytes of body text a message page shows

json row_json(const store::HeldMessage& m) {
  json d = queue::details_of(m);
  json reasons = json::array();
  for (const auto& r : d.value("rules", json::array())) reasons.push_back(r.value("id", ""));
  return {{"id", m.id}, {"state", store::state_name(m.state)}, {"kind", store::kind_name(m.kind)},
          {"sender", m.sender}, {"subject", m.subject}, {"recipients", m.recipients}, {"size", m.size},
          {"created_at", m.created_at}, {"expires_at", m.expires_at}, {"decided_by", m.decided_by},
          {"decided_at", m.decided_at}, {"department", d.value("department", "")}, {"reasons", reasons},
          {"approvers", m.approvers}};
}

store::HeldQuery store_query(const web::QueueQuery& q, std::int64_t now) {
  store::HeldQuery s;
  s.state = store::parse_state(q.state);
  s.approver = q.scope;
  s.reason = q.reason, s.sender = q.sender, s.department = q.department, s.text = q.text;
  if (q.min_age_days > 0) s.created_before = now - std::int64_t{q.min_age_days} * 86400;
  if (q.max_age_days > 0) s.created_after = now - std::int64_t{q.max_age_days} * 86400;
  s.sort = q.sort, s.descending = q.descending;
  s.limit = q.per_page, s.offset = (q.page - 1) * q.per_page;
  return s;
}

// Every text part as the approver reviews it (mail::review_texts: HTML reduced to text, never rendered),
// each cut at kMaxPreview bytes with the cut marked in both languages, and how its text and HTML
// alternatives differ. The page escapes all of it again.
void add_texts(const mail::Message& msg, json& out) {
  auto review = mail::review_texts(msg, kMaxPreview);
  json texts = json::array();
  for (const auto& t : review.texts) {
    json j = {{"content_type", t.content_type}, {"text", t.text}, {"bytes", t.full_bytes}, {"truncated", t.truncated()}};
    if (t.truncated())
      j.update({{"mark_ja", mail::truncation_mark(t.text.size(), t.full_bytes, true)},
                {"mark_en", mail::truncation_mark(t.text.size(), t.full_bytes, false)}});
    texts.push_back(std::move(j));
  }
  out["texts"] = std::move(texts);
  out["alternatives_differ"] = review.differences;
}

json attachment_json(const mail::Attachment& a) {
  json j = {{"name", a.filename}, {"content_type", a.content_type}, {"size", a.size}};
  if (a.data.empty()) return j;
  auto r = inspect::inspect(a.filename, a.data);
  j.update({{"kind", r.kind}, {"encrypted", r.encrypted}, {"encryption", r.encryption}, {"macros", r.macros},
            {"executable", r.executable}, {"hidden_sheets", r.hidden_sheets}, {"sheets", r.sheets}});
  return j;
}

json message_json(store::Store& st, const queue::Queue& q, const store::HeldMessage& m) {
  json out = row_json(m);
  out["details"] = queue::details_of(m);
  out["delivery"] = queue::delivery_of(m);
  out["attachments"] = json::array();
  if (auto raw = q.spool().load(m.id); raw.ok())
    if (auto msg = mail::parse_message(*raw); msg.ok()) {
      add_texts(*msg, out);
      for (const auto& a : msg->attachments) out["attachments"].push_back(attachment_json(a));
    }
  json audit = json::array();
  if (auto trail = st.audit_trail(m.id); trail.ok())
    for (const auto& a : *trail)
      audit.push_back({{"at", a.at}, {"actor", a.actor}, {"address", a.address}, {"action", a.action},
                       {"from_state", a.from_state}, {"to_state", a.to_state}, {"comment", a.comment}});
  out["audit"] = audit;
  return out;
}

json pairs_json(const std::vector<std::pair<std::string, std::int64_t>>& pairs) {
  json out = json::array();
  for (const auto& [k, n] : pairs) out.push_back(json::array({k, n}));
  return out;
}

// The learn-mode log words; a relay through the inbound listener is a warning: that mail left unchecked.
std::string learned_words(const mail::Envelope& env, const context::Received& r) {
  if (r.relayed > 0)
    spdlog::warn("qid={} mode=learn relayed={}: a learn-mode listener carried mail to external recipients, "
                 "unchecked; outgoing mail must use a listener that is not in milter.learn_daemons",
                 env.queue_id, r.relayed);
  if (!r.skipped.empty()) return "learned=0 skipped=" + r.skipped;
  return "learned=" + std::to_string(r.correspondents) + " to=" + std::to_string(r.recipients) +
         " thread=" + (r.thread ? "yes" : "no");
}

}  // namespace

web::AppHandlers Services::app_handlers() {
  web::AppHandlers h;
  h.account = [this](const std::string& name) -> std::optional<web::Account> {
    auto u = store_->find_user(name);
    if (!u || !u->has_value()) return std::nullopt;
    auto role = web::parse_role((*u)->role);
    if (!role) return std::nullopt;
    return web::Account{(*u)->name, (*u)->email, *role, (*u)->password_hash};
  };
  h.list = [this](const web::QueueQuery& q) -> util::Result<json> {
    auto sq = store_query(q, now_seconds());
    auto rows = store_->search(sq);
    auto total = store_->count(sq);
    if (!rows) return util::Error{rows.error()};
    if (!total) return util::Error{total.error()};
    json list = json::array();
    for (const auto& m : *rows) list.push_back(row_json(m));
    return json{{"total", *total}, {"rows", list}};
  };
  h.row = [this](const std::string& id) -> util::Result<std::optional<json>> {  // the row only, never the mail
    auto m = store_->get(id);
    if (!m) return util::Error{m.error()};
    if (!m->has_value()) return std::optional<json>();
    return std::optional<json>(row_json(**m));
  };
  h.message = [this](const std::string& id) -> util::Result<std::optional<json>> {
    auto m = store_->get(id);
    if (!m) return util::Error{m.error()};
    if (!m->has_value()) return std::optional<json>();
    return std::optional<json>(message_json(*store_, *queue_, **m));
  };
  h.decide = [this](const web::AppDecision& d) -> util::Result<std::string> {
    auto what = d.action == "reject" ? queue::Decision::Reject : queue::Decision::Approve;
    auto r = queue_->decide({d.id, what, d.actor, d.address, d.comment, d.admin, d.action == "approve-bcc"});
    if (!r) return util::Error{r.error()};
    return std::string(store::state_name(*r));
  };
  h.stats = [this](const std::string& scope) -> util::Result<json> {
    store::HeldQuery q;
    q.approver = scope;
    auto st = store_->stats(q, now_seconds() - 30 * 86400);
    if (!st) return util::Error{st.error()};
    return json{{"per_day", pairs_json(st->per_day)}, {"per_reason", pairs_json(st->per_reason)},
                {"per_department", pairs_json(st->per_department)}, {"pending", st->pending},
                {"decided", st->decided}, {"median_decision_seconds", st->median_decision_seconds}};
  };
  h.approvers = [this](const std::string& scope) {
    return queue::approver_load_json(*store_, now_seconds(), 30, scope);
  };
  return h;
}

web::DetachHandlers Services::detach_handlers() {
  auto info = [](const store::DetachedFileRow& r) {
    return web::DetachedFileInfo{r.id, r.filename, r.content_type, r.state, r.size, r.expires_at, r.downloads};
  };
  web::DetachHandlers h;
  h.file = [this, info](const std::string& id) -> std::optional<web::DetachedFileInfo> {
    auto row = detach_->file(id);
    if (!row) return std::nullopt;
    return info(*row);
  };
  h.download = [this](const web::DownloadRequest& r) { return detach_->download({r.file_id, r.remote_addr, r.user_agent}); };
  h.batch = [this, info](const std::string& id) {
    std::vector<web::DetachedFileInfo> out;
    for (const auto& row : detach_->batch(id)) out.push_back(info(row));
    return out;
  };
  h.revoke = [this](const std::string& batch, const std::string& actor, const std::string& address) {
    return detach_->revoke(batch, actor, address);
  };
  return h;
}

web::LinkHandlers Services::link_handlers() {
  web::LinkHandlers h;
  h.summary = [this](const std::string& id) -> std::optional<web::MessageSummary> {
    auto m = store_->get(id);
    if (!m || !m->has_value()) return std::nullopt;
    const auto& held = **m;
    std::vector<std::string> reasons;
    for (const auto& r : queue::details_of(held).value("rules", json::array()))
      if (r.is_object()) reasons.push_back(r.value("description", r.value("id", "")));
    return web::MessageSummary{held.id, held.sender, held.subject, store::state_name(held.state), held.recipients,
                               reasons};
  };
  h.detach = detach_handlers();
  h.decide = [this](const web::LinkDecision& d) -> util::Result<std::string> {
    using queue::Decision;
    using web::LinkAction;
    LinkAction a = d.claims.action;
    Decision what = a == LinkAction::Approve || a == LinkAction::ApproveBcc ? Decision::Approve
                    : a == LinkAction::Reject                               ? Decision::Reject
                                                                            : Decision::Cancel;
    auto r = queue_->decide(
        {d.claims.message_id, what, d.claims.actor, d.remote_addr, d.comment, false, a == LinkAction::ApproveBcc});
    if (!r) return util::Error{r.error()};
    return std::string(store::state_name(*r));
  };
  return h;
}

std::string Services::start() {
  auto st = store::open_sqlite(config_.state_dir + "/preflight.db");
  if (!st) return st.error();
  store_ = *st;
  history_ = std::make_unique<context::HistoryWriter>(store_);
  key_ = load_or_create_key();
  if (key_.empty()) return "cannot create the link key in " + config_.state_dir;
  queue::QueueSettings qs{config_.state_dir + "/spool", config_.queue.reinject, config_.queue.notice_from,
                          config_.queue.lease_seconds, policy_};
  qs.notice_retention_seconds = config_.queue.notice_retention_seconds;
  qs.max_release_attempts = config_.queue.max_release_attempts;
  qs.max_release_seconds = config_.queue.max_release_seconds;
  qs.admin_address = config_.queue.admin_address;
  bool web_on = has_role(config_, "web");
  auto links = [this, web_on](const std::string& id, const std::string& actor, const std::string& action,
                              std::int64_t until) -> std::string {
    if (!web_on) return {};
    // Download and revoke links live as long as the files (the policy's detach.expire).
    if (action == "download" || action == "revoke") {
      web::LinkAction a = action == "download" ? web::LinkAction::Download : web::LinkAction::Revoke;
      return config_.web.base_url + (action == "download" ? "/file/" : "/revoke/") +
             web::sign_link({id, actor, a, until}, key_);
    }
    web::LinkAction a = action == "approve"       ? web::LinkAction::Approve
                        : action == "approve-bcc" ? web::LinkAction::ApproveBcc
                        : action == "reject"      ? web::LinkAction::Reject
                                                  : web::LinkAction::Cancel;
    std::int64_t expires = std::min(until, now_seconds() + config_.web.link_ttl_seconds);
    return config_.web.base_url + "/link/" + web::sign_link({id, actor, a, expires}, key_);
  };
  queue_ = std::make_unique<queue::Queue>(store_, qs, links, now_seconds);
  auto problems = queue_->prepare_and_reconcile();
  if (!problems) return problems.error();
  for (const auto& p : *problems) spdlog::warn("reconcile: {}", p);
  detach_ = std::make_unique<queue::Detachments>(store_, config_.state_dir + "/detached", links, now_seconds, policy_,
                                                 config_.queue.notice_from);
  auto detached = detach_->prepare_and_reconcile();
  if (!detached) return detached.error();
  for (const auto& p : *detached) spdlog::warn("reconcile: {}", p);
  if (web_on) {
    web::WebSettings ws{config_.web.host, config_.web.port, key_, config_.web.secure_cookies,
                        config_.web.trusted_proxies, std::nullopt};
    if (std::string err = start_metrics(ws); !err.empty()) return err;
    web::AppSettings as{config_.web.trust_proxy_header, config_.web.session_idle_seconds,
                        session_backend(store_), config_.web.trust_proxy_secret};  // sessions survive a restart
    web_ = std::make_unique<web::WebServer>(ws, link_handlers(), app_handlers(), as);
    auto port = web_->start();
    if (!port) return "web: " + port.error();
    spdlog::info("web role listening on {}:{}", config_.web.host, *port);
    if (!config_.web.trust_proxy_header.empty() && config_.web.host != "127.0.0.1" && config_.web.host != "::1")
      spdlog::warn("web.trust_proxy_header is set but the web role listens on {}: anyone who reaches it can "
                   "claim any account", config_.web.host);
  }
  if (has_role(config_, "scheduler")) {
    auto interval = std::chrono::milliseconds(static_cast<long>(config_.queue.interval_seconds * 1000));
    scheduler_ = std::make_unique<queue::Scheduler>([this] {
      queue_->tick();
      detach_->tick();
    }, interval);
    scheduler_->start();
  }
  return {};
}

void Services::stop() {
  if (scheduler_) scheduler_->stop();
  if (web_) web_->stop();
  if (history_) history_->flush();  // the milter has stopped: what it handed over is written before exit
  if (metrics_) metrics_->stop();
  if (gauges_) util::metrics::remove_collector(gauges_);
  gauges_ = 0;
}

milter::Hooks Services::milter_hooks() {
  milter::Hooks h;
  h.hold = [this](const action::HoldRequest& r) { return queue_->hold(r); };
  h.detach = [this](const action::DetachRequest& r) { return detach_->detach(r); };
  h.delivered = [this](const mail::Envelope& env, const mail::Message& msg, const std::vector<mail::Address>& shown,
                       const policy::Policy& p) {
    history_->add(context::sent_mail(env, msg, shown, p.organisation, now_seconds()));
  };
  h.received = [this](const mail::Envelope& env, const mail::Message& msg, const policy::Policy& p) {
    return learned_words(env, context::record_received(*store_, env, msg, p.organisation, now_seconds()));
  };
  h.context = [this](const policy::Policy& p) -> std::unique_ptr<detect::Context> {
    return std::make_unique<context::StoreContext>(store_, domains_, p.organisation.split_window_seconds, now_seconds(),
                                                   addresses_);
  };
  return h;
}

}  // namespace preflight::daemon
