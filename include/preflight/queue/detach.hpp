// Attachments sent as download links (the policy action `detach`). At end of message the milter hands the
// mail over; its attachments are stored like held mail (each file written to detached/tmp, fsync'ed,
// linked under its final name, the directory fsync'ed; then the rows and the first audit row committed
// with synchronous=FULL), and only then does the milter get the rebuilt body to give the MTA. Each file
// gets a signed download link valid for the policy's detach.expire; the sender's revoke link withdraws
// every file of the mail. Downloads are counted, limited (detach.max_downloads per file,
// detach.downloads_per_minute per link) and audited under the mail's batch id with the client address and
// browser; revocation and expiry (each scheduler pass) delete the files. Thread-safe.
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "preflight/action/detach.hpp"
#include "preflight/queue/queue.hpp"
#include "preflight/queue/spool.hpp"
#include "preflight/store/store.hpp"

namespace preflight::queue {

struct DownloadAsk {
  std::string file_id, address, user_agent;
};

class Detachments {
 public:
  // `links` makes "download" links (id: a file id) and "revoke" links (id: a batch id, actor: the sender).
  // The sender's notice (with the revoke link) goes through the store's outbox from `notice_from`.
  Detachments(std::shared_ptr<store::Store> store, std::string dir, LinkMaker links, Clock clock,
              PolicySource policy, std::string notice_from = "preflight@localhost");

  // Creates the directories; deletes files whose row is gone or no longer active (a crash between the
  // row and the unlink). Returns the problems found, one line each.
  util::Result<std::vector<std::string>> prepare_and_reconcile();

  // Stores the attachments and returns the rebuilt body. An error (nothing kept, the caller tempfails)
  // when a file or the rows cannot be stored, no link can be made or the deadline has passed.
  util::Result<action::BodyRewrite> detach(const action::DetachRequest& r);

  std::optional<store::DetachedFileRow> file(const std::string& id);
  std::vector<store::DetachedFileRow> batch(const std::string& id);
  // The file's bytes, counted and audited; an error text the page shows when it is refused.
  util::Result<std::string> download(const DownloadAsk& ask);
  // Revokes every active file of `batch` (files deleted); how many there were.
  util::Result<std::size_t> revoke(const std::string& batch, const std::string& actor, const std::string& address);
  // Expires what is due and deletes those files (a scheduler pass).
  void tick();

 private:
  util::Result<bool> notify_sender(const action::DetachRequest& r, const std::vector<store::DetachedFileRow>& rows);
  // Undoes a detach that cannot be finished: rows revoked, files deleted.
  void discard(const std::string& batch, const std::vector<store::DetachedFileRow>& rows, const std::string& why);
  bool rate_allows(const std::string& file_id, std::int64_t now, std::int64_t per_minute);
  util::Result<std::string> store_files(const action::DetachRequest& r, const std::vector<mail::DetachedFile>& files,
                                        std::vector<store::DetachedFileRow>& rows);

  std::shared_ptr<store::Store> store_;
  Spool files_;
  LinkMaker links_;
  Clock clock_;
  PolicySource policy_;
  std::string notice_from_;
  std::mutex mu_;
  std::map<std::string, std::deque<std::int64_t>> recent_;  // file id -> download times in the last minute
};

// The notice that takes the attachments' place, as UTF-8 text and HTML (Japanese, then English).
struct DetachNotice {
  std::string text, html;
};
struct NoticeFile {
  std::string filename, url;
  std::int64_t size = 0;
};
DetachNotice detach_notice(const std::vector<NoticeFile>& files, std::int64_t expires_at);

// Whether every external envelope recipient is in one of `domains` (or below it): such mail keeps its
// attachments. False when there is no external recipient.
bool all_excepted(const mail::Envelope& env, const detect::Organisation& org, const std::vector<std::string>& domains);

}  // namespace preflight::queue
