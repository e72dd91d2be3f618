// Detached attachments: storing, serving, revoking, expiring; see detach.hpp.
#include "preflight/queue/detach.hpp"

#include <glib.h>
#include <unistd.h>

#include <cerrno>

#include "notice_spec.hpp"
#include "preflight/util/strings.hpp"

namespace preflight::queue {

namespace {

constexpr std::int64_t kMinute = 60;

std::string sha256_hex(const std::string& bytes) {
  gchar* hex = g_compute_checksum_for_data(G_CHECKSUM_SHA256, reinterpret_cast<const guchar*>(bytes.data()), bytes.size());
  std::string out = hex ? hex : "";
  g_free(hex);
  return out;
}

// The whole message: from memory, or read back from its spill file.
util::Result<std::string> raw_bytes(const util::SpillBuffer& raw) {
  if (!raw.spilled()) return std::string(raw.memory());
  std::string out(raw.size(), '\0');
  std::size_t done = 0;
  while (done < out.size()) {
    ssize_t r = ::pread(raw.fd(), out.data() + done, out.size() - done, static_cast<off_t>(done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return util::Error{"detach: cannot read the spilled message"};
    done += static_cast<std::size_t>(r);
  }
  return out;
}

bool under(const std::string& domain, const std::string& parent) {
  return domain == parent || (domain.size() > parent.size() && domain.ends_with("." + parent));
}

// The size limit a mail's attachments break, as the 550 text; empty when they fit.
std::string size_refusal(const std::vector<mail::DetachedFile>& files, const policy::DetachSettings& d) {
  std::int64_t total = 0;
  for (const auto& f : files) {
    auto size = static_cast<std::int64_t>(f.data.size());
    if (size > d.max_file_bytes)
      return "attachment too large to send as a link (" + std::to_string(size) + " bytes, limit " +
             std::to_string(d.max_file_bytes) + ")";
    total += size;
  }
  if (total > d.max_total_bytes)
    return "attachments too large to send as links (" + std::to_string(total) + " bytes, limit " +
           std::to_string(d.max_total_bytes) + ")";
  return {};
}

}  // namespace

bool all_excepted(const mail::Envelope& env, const detect::Organisation& org, const std::vector<std::string>& domains) {
  bool any = false;
  for (const auto& rcpt : env.recipients) {
    const std::string domain = util::to_lower(rcpt.domain);
    if (org.is_internal(domain)) continue;
    any = true;
    bool excepted = false;
    for (const auto& d : domains) excepted = excepted || under(domain, d);
    if (!excepted) return false;
  }
  return any;
}

Detachments::Detachments(std::shared_ptr<store::Store> store, std::string dir, LinkMaker links, Clock clock,
                         PolicySource policy, std::string notice_from)
    : store_(std::move(store)), files_(std::move(dir), ".bin"), links_(std::move(links)), clock_(std::move(clock)),
      policy_(std::move(policy)), notice_from_(std::move(notice_from)) {}

void Detachments::discard(const std::string& batch, const std::vector<store::DetachedFileRow>& rows,
                          const std::string& why) {
  (void)store_->revoke_detached(batch, {batch, clock_(), "milter", "", "revoke", "active", "revoked", why});
  for (const auto& done : rows) files_.remove(done.id);
}

// The sender's notice: which files left as links, to whom, and the revoke link (signed when it is sent).
util::Result<bool> Detachments::notify_sender(const action::DetachRequest& r,
                                              const std::vector<store::DetachedFileRow>& rows) {
  if (r.envelope.sender.addr().empty()) return true;  // the null sender: nobody to tell
  NoticeInput in;
  in.kind = NoticeKind::Detached;
  in.from = notice_from_;
  in.to = r.envelope.sender.addr();
  in.held_id = rows.front().batch;
  in.original_sender = in.to;
  in.original_subject = r.message.subject;
  for (const auto& rcpt : r.envelope.recipients)
    in.recipients.push_back({rcpt.addr(), !r.policy.organisation.is_internal(util::to_lower(rcpt.domain)), false});
  for (const auto& row : rows) in.attachment_names.push_back(row.filename);
  in.now = clock_();
  std::string spec = detail::notice_spec_json({in, {"revoke"}, rows.front().expires_at});
  return store_->enqueue_notice({0, in.held_id, in.to, spec, in.now, 0});
}

util::Result<std::vector<std::string>> Detachments::prepare_and_reconcile() {
  if (auto ok = files_.prepare(); !ok) return util::Error{ok.error()};
  std::vector<std::string> problems;
  for (const auto& id : files_.ids()) {
    auto row = store_->detached_file(id);
    if (!row) return util::Error{row.error()};
    if (row->has_value() && (*row)->state == "active") continue;
    files_.remove(id);
    problems.push_back("detached file " + id + " had no active row: deleted");
  }
  return problems;
}

util::Result<std::string> Detachments::store_files(const action::DetachRequest& r,
                                                   const std::vector<mail::DetachedFile>& files,
                                                   std::vector<store::DetachedFileRow>& rows) {
  const std::int64_t now = clock_();
  const auto& d = r.policy.detach;
  const std::string batch = new_id();
  if (batch.empty()) return util::Error{"detach: no random id"};
  for (const auto& f : files) {
    store::DetachedFileRow row{new_id(), batch, r.envelope.sender.addr(), f.filename, f.content_type,
                               sha256_hex(f.data), static_cast<std::int64_t>(f.data.size()), now,
                               now + d.expire_seconds, "active", 0, d.max_downloads};
    auto ok = files_.store(row.id, f.data);
    if (!ok) {
      for (const auto& done : rows) files_.remove(done.id);
      return util::Error{"detach: " + ok.error()};
    }
    rows.push_back(std::move(row));
  }
  std::string comment = "qid=" + r.envelope.queue_id + " files=" + std::to_string(rows.size());
  auto ok = store_->insert_detached(rows, {batch, now, "milter", "", "detach", "", "active", comment});
  if (!ok) {
    for (const auto& done : rows) files_.remove(done.id);
    return util::Error{"detach: " + ok.error()};
  }
  return batch;
}

util::Result<action::BodyRewrite> Detachments::detach(const action::DetachRequest& r) {
  action::BodyRewrite out;
  const auto& d = r.policy.detach;
  if (all_excepted(r.envelope, r.policy.organisation, d.except_domains)) {
    out.skipped = "except_domains";
    return out;
  }
  auto raw = raw_bytes(r.raw);
  if (!raw) return util::Error{raw.error()};
  auto mail = mail::detach_attachments(*raw);
  if (!mail) return util::Error{"detach: " + mail.error()};
  if (mail->files.empty()) {
    out.skipped = "no attachments";
    return out;
  }
  if (out.refusal = size_refusal(mail->files, d); !out.refusal.empty()) return out;
  if (r.budget && r.budget->past_deadline()) return util::Error{"detach: the message's deadline passed: not stored"};
  std::vector<store::DetachedFileRow> rows;
  auto batch = store_files(r, mail->files, rows);
  if (!batch) return util::Error{batch.error()};
  if (r.budget && r.budget->past_deadline()) {  // the MTA may have given up: it would send the mail again
    discard(*batch, rows, "deadline passed");
    return util::Error{"detach: the message's deadline passed while storing: not kept"};
  }
  std::vector<NoticeFile> notice;
  for (const auto& row : rows) {
    std::string url = links_ ? links_(row.id, "", "download", row.expires_at) : std::string();
    if (url.empty()) {
      discard(*batch, rows, "no web role");
      return util::Error{"detach: no download link can be made (is the web role on?)"};
    }
    notice.push_back({row.filename, url, row.size});
  }
  if (auto told = notify_sender(r, rows); !told) {
    discard(*batch, rows, "sender notice not stored");
    return util::Error{"detach: the sender's notice cannot be stored: " + told.error()};
  }
  DetachNotice text = detach_notice(notice, rows.front().expires_at);
  mail::RebuiltBody body = mail::rebuild_with_notice(*mail, text.text, text.html);
  out.files = rows.size();
  out.batch = *batch;
  out.edits = action::detach_edits(*mail, body.content_type);
  out.body = std::move(body.body);
  if (r.whole_message) out.message = action::rewritten_message(*raw, out.edits, out.body);
  return out;
}

std::optional<store::DetachedFileRow> Detachments::file(const std::string& id) {
  auto row = store_->detached_file(id);
  if (!row || !row->has_value()) return std::nullopt;
  return **row;
}

std::vector<store::DetachedFileRow> Detachments::batch(const std::string& id) {
  auto rows = store_->detached_batch(id);
  return rows ? *rows : std::vector<store::DetachedFileRow>{};
}

bool Detachments::rate_allows(const std::string& file_id, std::int64_t now, std::int64_t per_minute) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& times = recent_[file_id];
  while (!times.empty() && times.front() <= now - kMinute) times.pop_front();
  if (static_cast<std::int64_t>(times.size()) >= per_minute) return false;
  times.push_back(now);
  std::erase_if(recent_, [now](const auto& kv) { return kv.second.empty() || kv.second.back() <= now - kMinute; });
  return true;
}

util::Result<std::string> Detachments::download(const DownloadAsk& ask) {
  const std::int64_t now = clock_();
  auto row = file(ask.file_id);
  if (!row) return util::Error{"unknown file"};
  if (row->state != "active") return util::Error{"this file was " + row->state};
  if (now >= row->expires_at) return util::Error{"this file has expired"};
  auto policy = policy_ ? policy_() : nullptr;
  std::int64_t per_minute = policy ? policy->detach.downloads_per_minute : policy::DetachSettings{}.downloads_per_minute;
  if (!rate_allows(row->id, now, per_minute)) return util::Error{"too many downloads a minute; try again later"};
  auto bytes = files_.load(row->id);
  if (!bytes) return util::Error{"the file cannot be read"};
  std::string comment = util::printable(row->filename) + " ua=" + util::printable(ask.user_agent.substr(0, 200));
  auto counted = store_->count_download(row->id, now, {row->batch, now, "link", ask.address, "download", "", "", comment});
  if (!counted) return util::Error{counted.error()};
  if (!*counted) return util::Error{"the download limit of this file is reached"};
  return bytes;
}

util::Result<std::size_t> Detachments::revoke(const std::string& batch, const std::string& actor,
                                              const std::string& address) {
  auto ids = store_->revoke_detached(batch, {batch, clock_(), actor, address, "revoke", "active", "revoked", ""});
  if (!ids) return util::Error{ids.error()};
  for (const auto& id : *ids) files_.remove(id);
  return ids->size();
}

void Detachments::tick() {
  auto ids = store_->expire_detached(clock_());
  if (!ids) return;
  for (const auto& id : *ids) files_.remove(id);
}

}  // namespace preflight::queue
