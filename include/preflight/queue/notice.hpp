// Notices: the mails preflight itself sends about a held message — to the sender (held for delay-send,
// approved, rejected, expired/returned, cancelled, not delivered) and to approvers (approval requested). Pure function:
// input data -> one complete RFC 5322 message (CRLF line ends), ready for SMTP.
//
// Language: Japanese with English below by default; Japanese only or English only on request.
// Charset: UTF-8 (base64 body) by default, or ISO-2022-JP (7bit body) for old Japanese clients; the
// Subject is RFC 2047-encoded in the same charset. Characters ISO-2022-JP cannot carry are replaced,
// never dropped silently into an empty body. Headers carry Auto-Submitted: auto-generated so that
// auto-responders do not answer.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace preflight::queue {

enum class NoticeKind {
  HeldForDelay,       // to sender: your mail waits N minutes; cancel link
  ApprovalPending,    // to sender: your mail waits for approval by ...
  ApprovalRequested,  // to approver: please approve/reject; links
  Approved,           // to sender
  Rejected,           // to sender, with the approver's comment
  Expired,            // to sender: nobody decided in time; returned (not sent) or released (sent)
  Cancelled,          // to sender: confirmation that the mail was not sent
  DeliveryFailed,     // to sender (and, when the release gave up, the admin address): who did not get it
  Detached,           // to sender: the attachments left as download links; revoke link
};

enum class NoticeLanguage { JapaneseEnglish, Japanese, English };
enum class NoticeCharset { Utf8, Iso2022jp };

struct NoticeRecipient {
  std::string address;
  bool external = false;
  bool first_time = false;
};

struct NoticeLink {
  std::string label_ja, label_en;  // e.g. "承認する", "Approve"
  std::string url;
};

// One text part of the held mail as an approver's notice shows it (HTML already reduced to text).
struct NoticeBody {
  std::string content_type;    // "text/plain", "text/html"
  std::string text;            // cut at the notice's limit
  std::string mark_ja, mark_en;  // the truncation mark, empty when nothing was cut
};

struct NoticeInput {
  NoticeKind kind = NoticeKind::HeldForDelay;
  NoticeLanguage language = NoticeLanguage::JapaneseEnglish;
  NoticeCharset charset = NoticeCharset::Utf8;
  std::string from;             // the gateway's notice address, e.g. preflight@example.co.jp
  std::string to;               // who receives this notice
  std::string held_id;          // preflight's id of the held message
  std::string original_sender;  // envelope sender of the held message
  std::string original_subject; // decoded UTF-8, untrusted text
  std::vector<NoticeRecipient> recipients;
  std::vector<std::string> reasons;           // human-readable, one per matching rule
  std::vector<std::string> attachment_names;  // decoded UTF-8
  std::vector<std::string> approvers;         // who may decide (ApprovalPending)
  std::string comment;                        // the approver's comment (Approved/Rejected)
  bool released = false;                      // Expired: true = sent anyway, false = returned;
                                              // DeliveryFailed: true = the other recipients got it
  std::vector<std::string> undelivered;       // DeliveryFailed: "address: why", one per recipient
  std::int64_t release_at = 0;                // HeldForDelay: unix seconds
  std::int64_t expires_at = 0;                // ApprovalRequested/Pending: unix seconds
  std::int64_t now = 0;                       // Date header, unix seconds
  std::vector<NoticeLink> links;
  std::vector<NoticeBody> bodies;        // ApprovalRequested: every text part of the held mail
  std::vector<std::string> differences;  // ApprovalRequested: how its text and HTML alternatives differ
};

std::string compose_notice(const NoticeInput& in);

}  // namespace preflight::queue
