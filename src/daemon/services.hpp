// The long-lived parts of preflightd besides the milter: the store, the held-mail queue, the scheduler
// thread and the web role, built from the configuration. Internal to the daemon module.
#pragma once
#include <memory>

#include "preflight/context/history_writer.hpp"
#include "preflight/context/store_context.hpp"
#include "preflight/daemon/config.hpp"
#include "preflight/milter/milter.hpp"
#include "preflight/queue/detach.hpp"
#include "preflight/queue/queue.hpp"
#include "preflight/queue/scheduler.hpp"
#include "preflight/store/store.hpp"
#include "preflight/web/metrics.hpp"
#include "preflight/web/server.hpp"

namespace preflight::daemon {

class Services {
 public:
  Services(const Config& c, queue::PolicySource policy) : config_(c), policy_(std::move(policy)) {}
  ~Services() { stop(); }

  // Opens the store, reconciles the spool, starts the web role and the scheduler as configured.
  // Returns an error text (empty on success).
  std::string start();
  void stop();
  // The milter's hooks into the queue and the history.
  milter::Hooks milter_hooks();

 private:
  std::string load_or_create_key();
  web::LinkHandlers link_handlers();
  web::AppHandlers app_handlers();  // the approver web queue
  web::DetachHandlers detach_handlers();  // detached attachments' pages
  std::string start_metrics(web::WebSettings& ws);

  const Config& config_;
  queue::PolicySource policy_;
  std::shared_ptr<context::DomainCache> domains_ = std::make_shared<context::DomainCache>();
  std::shared_ptr<context::KnownAddresses> addresses_ = std::make_shared<context::KnownAddresses>();
  std::shared_ptr<store::Store> store_;
  std::unique_ptr<context::HistoryWriter> history_;  // delivered mail's learning, off the milter's path
  std::unique_ptr<queue::Queue> queue_;
  std::unique_ptr<queue::Detachments> detach_;
  std::unique_ptr<web::WebServer> web_;
  std::unique_ptr<web::MetricsServer> metrics_;  // metrics.listen: /metrics on an address of its own
  std::size_t gauges_ = 0;                       // the store's gauges, as a metrics collector
  std::string key_;
  std::unique_ptr<queue::Scheduler> scheduler_;
};

// Unix seconds now.
std::int64_t now_seconds();

}  // namespace preflight::daemon
