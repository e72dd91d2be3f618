// Learning from delivered mail off the milter's path: end of message hands the mail's history rows to a
// writer thread and answers the MTA at once; the thread writes everything handed to it since its last
// write in one transaction (Store::record_sent). Only learning goes this way: held mail is stored, and
// committed, before the MTA is answered, as before. A mail's rows reach the store a few milliseconds
// after its end of message; on a crash, what was not written yet is not learned (the mail has left).
#pragma once
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "preflight/store/store.hpp"

namespace preflight::context {

class HistoryWriter {
 public:
  // Writes at most `batch` mails per transaction.
  explicit HistoryWriter(std::shared_ptr<store::Store> store, std::size_t batch = 512);
  ~HistoryWriter();  // writes what it was handed, then stops
  HistoryWriter(const HistoryWriter&) = delete;
  HistoryWriter& operator=(const HistoryWriter&) = delete;

  // Queues one mail's rows; returns at once.
  void add(store::SentMail mail);
  // Waits until everything added before the call is written (or its write failed and was logged).
  void flush();
  // Transactions written so far (each with one or more mails).
  std::int64_t transactions() const;

 private:
  void run();

  std::shared_ptr<store::Store> store_;
  std::size_t batch_;
  mutable std::mutex mu_;
  std::condition_variable work_, written_;
  std::vector<store::SentMail> queued_;
  std::int64_t added_ = 0, done_ = 0, transactions_ = 0;
  bool stop_ = false;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace preflight::context
