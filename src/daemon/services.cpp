// Store, queue, scheduler and web role of preflightd; see services.hpp.
#include "services.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include "preflight/util/strings.hpp"

namespace preflight::daemon {

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The HMAC key for action links: 32 random bytes, made once, readable by the daemon's user only.
std::string Services::load_or_create_key() {
  std::string path = config_.state_dir + "/link.key";
  std::ifstream in(path, std::ios::binary);
  std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (key.size() >= 32) return key;
  std::ifstream random("/dev/urandom", std::ios::binary);
  key.assign(32, '\0');
  if (!random.read(key.data(), 32)) return {};
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  bool ok = fd >= 0 && ::write(fd, key.data(), key.size()) == 32 && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  return ok ? key : std::string();
}

web::LinkHandlers Services::link_handlers() {
  web::LinkHandlers h;
  h.summary = [this](const std::string& id) -> std::optional<web::MessageSummary> {
    auto m = store_->get(id);
    if (!m || !m->has_value()) return std::nullopt;
    const auto& held = **m;
    return web::MessageSummary{held.id, held.sender, held.subject, store::state_name(held.state), held.recipients, {}};
  };
  h.decide = [this](const web::LinkDecision& d) -> util::Result<std::string> {
    using queue::Decision;
    Decision what = d.claims.action == web::LinkAction::Approve  ? Decision::Approve
                    : d.claims.action == web::LinkAction::Reject ? Decision::Reject
                                                                 : Decision::Cancel;
    auto r = queue_->decide({d.claims.message_id, what, d.claims.actor, d.remote_addr, d.comment, false});
    if (!r) return util::Error{r.error()};
    return std::string(store::state_name(*r));
  };
  return h;
}

std::string Services::start() {
  auto st = store::open_sqlite(config_.state_dir + "/preflight.db");
  if (!st) return st.error();
  store_ = *st;
  key_ = load_or_create_key();
  if (key_.empty()) return "cannot create the link key in " + config_.state_dir;
  queue::QueueSettings qs{config_.state_dir + "/spool", config_.queue.reinject, config_.queue.notice_from,
                          config_.queue.lease_seconds, policy_};
  bool web_on = has_role(config_, "web");
  auto links = [this, web_on](const std::string& id, const std::string& actor, const std::string& action,
                              std::int64_t until) -> std::string {
    if (!web_on) return {};
    web::LinkAction a = action == "approve" ? web::LinkAction::Approve
                        : action == "reject" ? web::LinkAction::Reject
                                             : web::LinkAction::Cancel;
    std::int64_t expires = std::min(until, now_seconds() + config_.web.link_ttl_seconds);
    return config_.web.base_url + "/link/" + web::sign_link({id, actor, a, expires}, key_);
  };
  queue_ = std::make_unique<queue::Queue>(store_, qs, links, now_seconds);
  auto problems = queue_->prepare_and_reconcile();
  if (!problems) return problems.error();
  for (const auto& p : *problems) spdlog::warn("reconcile: {}", p);
  if (web_on) {
    web_ = std::make_unique<web::WebServer>(web::WebSettings{config_.web.host, config_.web.port, key_}, link_handlers());
    auto port = web_->start();
    if (!port) return "web: " + port.error();
    spdlog::info("web role listening on {}:{}", config_.web.host, *port);
  }
  if (has_role(config_, "scheduler")) scheduler_ = std::thread([this] { scheduler_loop(); });
  return {};
}

void Services::scheduler_loop() {
  auto interval = std::chrono::milliseconds(static_cast<long>(config_.queue.interval_seconds * 1000));
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    queue_->tick();
    lock.lock();
    cv_.wait_for(lock, interval, [this] { return stopping_; });
  }
}

void Services::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (scheduler_.joinable()) scheduler_.join();
  if (web_) web_->stop();
}

milter::Hooks Services::milter_hooks() {
  milter::Hooks h;
  h.hold = [this](const action::HoldRequest& r) { return queue_->hold(r); };
  h.delivered = [this](const mail::Envelope& env, const mail::Message& msg, const policy::Policy& p) {
    context::record_sent(*store_, env, msg, p.organisation, now_seconds());
  };
  h.context = [this](const policy::Policy& p) -> std::unique_ptr<detect::Context> {
    return std::make_unique<context::StoreContext>(store_, domains_, p.organisation.split_window_seconds, now_seconds());
  };
  return h;
}

}  // namespace preflight::daemon
