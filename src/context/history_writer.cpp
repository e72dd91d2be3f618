// The writer thread of delivered mail's history; see history_writer.hpp.
#include "preflight/context/history_writer.hpp"

#include <spdlog/spdlog.h>

namespace preflight::context {

HistoryWriter::HistoryWriter(std::shared_ptr<store::Store> store, std::size_t batch)
    : store_(std::move(store)), batch_(batch > 0 ? batch : 1), thread_([this] { run(); }) {}

HistoryWriter::~HistoryWriter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_.notify_one();
  thread_.join();
}

void HistoryWriter::add(store::SentMail mail) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queued_.push_back(std::move(mail));
    ++added_;
  }
  work_.notify_one();
}

void HistoryWriter::flush() {
  std::unique_lock<std::mutex> lock(mu_);
  std::int64_t target = added_;
  written_.wait(lock, [&] { return done_ >= target; });
}

std::int64_t HistoryWriter::transactions() const {
  std::lock_guard<std::mutex> lock(mu_);
  return transactions_;
}

void HistoryWriter::run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    work_.wait(lock, [&] { return stop_ || !queued_.empty(); });
    if (queued_.empty()) return;  // stopping, and everything is written
    std::vector<store::SentMail> mails;
    if (queued_.size() <= batch_) {
      mails.swap(queued_);
    } else {
      auto end = queued_.begin() + static_cast<std::ptrdiff_t>(batch_);
      mails.assign(std::make_move_iterator(queued_.begin()), std::make_move_iterator(end));
      queued_.erase(queued_.begin(), end);
    }
    lock.unlock();
    auto ok = store_->record_sent(mails);
    if (!ok) spdlog::warn("history of {} delivered mails not recorded: {}", mails.size(), ok.error());
    lock.lock();
    done_ += static_cast<std::int64_t>(mails.size());
    ++transactions_;
    written_.notify_all();
  }
}

}  // namespace preflight::context
