// The words of a notice: see notice_text.hpp. Japanese and English are written side by side here so
// that a change to one language is easy to mirror in the other; the layout code is shared.
#include "notice_text.hpp"

#include <glib.h>

#include <cstdio>
#include <ctime>

#include "notice_encode.hpp"

namespace preflight::queue::detail {
namespace {

constexpr std::size_t kSubjectChars = 60;  // of the original subject, so that the notice's stays short
constexpr std::string_view kSeparator = "------------------------------------------------------------";

struct KindText {
  std::string_view tag_ja, tag_en;    // the Subject prefix
  std::string_view lead_ja, lead_en;  // what happened; '\n' separates lines
};

KindText expired_text(bool released) {
  if (released)
    return {"期限切れ・送信済み", "Expired, sent",
            "次のメールは期限までに承認も却下もされなかったため、設定に従って送信しました。",
            "Nobody approved or rejected the following mail in time.\nAs configured, it has been sent."};
  return {"期限切れ・返却", "Expired, returned",
          "次のメールは期限までに承認されなかったため、送信せずに返却しました。",
          "Nobody approved the following mail in time.\nIt has been returned and was NOT sent."};
}

KindText undelivered_text(bool others_got_it) {
  if (others_got_it)
    return {"一部配信不能", "Partly undelivered",
            "次のメールは一部の宛先に配信できませんでした。その他の宛先には送信しました。",
            "The following mail could not be delivered to some recipients.\nIt has been sent to the others."};
  return {"配信不能", "Undelivered",
          "次のメールは配信できませんでした(すべての宛先で拒否されたか、再送の上限に達しました)。",
          "The following mail could not be delivered: every recipient refused it, or the retries ran out.\n"
          "It was NOT sent."};
}

KindText kind_text(const NoticeInput& in) {
  switch (in.kind) {
    case NoticeKind::HeldForDelay:
      return {
          "送信保留", "Held",
          "誤送信防止のため、次のメールの送信を一時保留しています。\n"
          "送信予定時刻になると自動的に送信されます。取り消す場合は、それまでに下のリンクを開いてください。",
          "To prevent mis-sent mail, the following mail is being held for a short time.\n"
          "It will be sent automatically at the scheduled time. To cancel it, open the link below before then."};
    case NoticeKind::ApprovalPending:
      return {"承認待ち", "Awaiting approval",
              "次のメールは送信前に承認が必要なため、保留しています。\n承認されると送信されます。",
              "The following mail needs approval before it is sent and is being held.\n"
              "It will be sent once approved."};
    case NoticeKind::ApprovalRequested:
      return {"承認依頼", "Approval requested",
              "次のメールの送信承認が依頼されています。\n内容を確認し、下のリンクから承認または却下してください。",
              "Your approval is requested for the following mail.\n"
              "Please review it and approve or reject it with the links below."};
    case NoticeKind::Approved:
      return {"承認済み", "Approved", "次のメールは承認されたため、送信しました。",
              "The following mail was approved and has been sent."};
    case NoticeKind::Rejected:
      return {"却下", "Rejected", "次のメールは承認者により却下されたため、送信されていません。",
              "The following mail was rejected by an approver and was NOT sent."};
    case NoticeKind::Expired:
      return expired_text(in.released);
    case NoticeKind::Cancelled:
      return {"送信取消", "Cancelled", "次のメールの送信は取り消されました。このメールは送信されていません。",
              "Sending of the following mail was cancelled. It was NOT sent."};
    case NoticeKind::DeliveryFailed:
      return undelivered_text(in.released);
    case NoticeKind::Detached:
      return {"添付ファイルをリンク化", "Attachments sent as links",
              "次のメールの添付ファイルは、宛先にはダウンロードリンクとして届きました。\n"
              "ダウンロードの記録は監査ログに残ります。リンクを無効にしてファイルを削除するには、下のリンクを開いてください。",
              "The attachments of the following mail reached its recipients as download links.\n"
              "Downloads are recorded in the audit log. To revoke the links and delete the files, open the link below."};
  }
  return {"通知", "Notice", "", ""};
}

struct Labels {
  std::string_view held_id, sender, subject, no_subject, recipients, external, first_time, attachments, reasons,
      release_at, expires_at, approvers, comment, links, link_fallback, footer, undelivered, body, differ;
};

constexpr Labels kJa{"保留ID",
                     "差出人",
                     "件名",
                     "(件名なし)",
                     "宛先",
                     " [社外]",
                     " [初回]",
                     "添付ファイル",
                     "保留の理由",
                     "送信予定",
                     "承認期限",
                     "承認者",
                     "承認者のコメント",
                     "リンク",
                     "リンク",
                     "このメールは preflight が自動送信しています。返信しないでください。",
                     "配信できなかった宛先",
                     "本文（HTML はテキスト化）",
                     "注意: テキスト版と HTML 版の内容が食い違っています"};
constexpr Labels kEn{"Held ID",
                     "From",
                     "Subject",
                     "(no subject)",
                     "Recipients",
                     " [external]",
                     " [first-time]",
                     "Attachments",
                     "Reasons",
                     "Scheduled for",
                     "Decision deadline",
                     "Approvers",
                     "Approver's comment",
                     "Links",
                     "Link",
                     "This message was sent automatically by preflight. Please do not reply.",
                     "Not delivered to",
                     "Body (HTML shown as text)",
                     "Warning: the text and HTML versions say different things"};

// The first `max_chars` characters of clean UTF-8, with an ellipsis when something was cut.
std::string truncate_chars(const std::string& s, std::size_t max_chars) {
  if (static_cast<std::size_t>(g_utf8_strlen(s.c_str(), -1)) <= max_chars) return s;
  const char* end = g_utf8_offset_to_pointer(s.c_str(), static_cast<glong>(max_chars));
  return std::string(s.c_str(), end) + "…";
}

std::string original_subject(const NoticeInput& in, const Labels& l) {
  const std::string s = clean_text(in.original_subject);
  return s.find_first_not_of(' ') == std::string::npos ? std::string(l.no_subject) : s;
}

void add_lines(std::string_view text, std::string_view indent, std::vector<std::string>& out) {
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(std::string(indent) + clean_text(line));
    start = end + 1;
  }
}

void add_list(std::string_view label, const std::vector<std::string>& items, std::vector<std::string>& out) {
  if (items.empty()) return;
  out.push_back(std::string(label) + ":");
  for (const std::string& item : items) out.push_back("  - " + clean_text(item));
}

std::vector<std::string> recipient_items(const NoticeInput& in, const Labels& l) {
  std::vector<std::string> items;
  for (const NoticeRecipient& r : in.recipients) {
    std::string item = clean_text(r.address);
    if (r.external) item += l.external;
    if (r.first_time) item += l.first_time;
    items.push_back(std::move(item));
  }
  return items;
}

void add_times(const NoticeInput& in, bool ja, const Labels& l, std::vector<std::string>& out) {
  if (in.kind == NoticeKind::HeldForDelay && in.release_at > 0)
    out.push_back(std::string(l.release_at) + ": " + format_time(in.release_at, ja));
  const bool approval = in.kind == NoticeKind::ApprovalPending || in.kind == NoticeKind::ApprovalRequested;
  if (approval && in.expires_at > 0)
    out.push_back(std::string(l.expires_at) + ": " + format_time(in.expires_at, ja));
}

void add_links(const NoticeInput& in, bool ja, const Labels& l, std::vector<std::string>& out) {
  if (in.links.empty()) return;
  out.push_back(std::string(l.links) + ":");
  for (const NoticeLink& link : in.links) {
    // A link labelled in one language only still shows up in the other.
    std::string label = clean_text(ja ? link.label_ja : link.label_en);
    if (label.empty()) label = clean_text(ja ? link.label_en : link.label_ja);
    if (label.empty()) label = l.link_fallback;
    out.push_back("  " + label + ": " + clean_text(link.url));
  }
}

void add_bodies(const NoticeInput& in, bool ja, const Labels& l, std::vector<std::string>& out) {
  if (in.bodies.empty()) return;
  out.push_back(std::string(l.body) + ":");
  for (const NoticeBody& b : in.bodies) {
    out.push_back("  [" + clean_text(b.content_type) + "]");
    add_lines(b.text, "  | ", out);
    const std::string& mark = ja ? b.mark_ja : b.mark_en;
    if (!mark.empty()) out.push_back("  " + clean_text(mark));
  }
}

// The whole notice in one language.
void add_section(const NoticeInput& in, bool ja, std::vector<std::string>& out) {
  const Labels& l = ja ? kJa : kEn;
  const KindText k = kind_text(in);
  add_lines(ja ? k.lead_ja : k.lead_en, "", out);
  out.emplace_back();
  out.push_back(std::string(l.sender) + ": " + clean_text(in.original_sender));
  out.push_back(std::string(l.subject) + ": " + original_subject(in, l));
  add_list(l.recipients, recipient_items(in, l), out);
  add_list(l.undelivered, in.undelivered, out);
  add_list(l.attachments, in.attachment_names, out);
  add_list(l.reasons, in.reasons, out);
  add_list(l.differ, in.differences, out);
  add_bodies(in, ja, l, out);
  add_times(in, ja, l, out);
  add_list(l.approvers, in.approvers, out);
  if (!in.comment.empty()) {
    out.push_back(std::string(l.comment) + ":");
    add_lines(in.comment, "  ", out);
  }
  out.push_back(std::string(l.held_id) + ": " + clean_text(in.held_id));
  add_links(in, ja, l, out);
  out.emplace_back();
  out.emplace_back(l.footer);
}

std::string subject_part(const NoticeInput& in, bool ja) {
  const KindText k = kind_text(in);
  const Labels& l = ja ? kJa : kEn;
  // The full-width colon keeps a Japanese Subject in whole 3-byte characters, which lets its encoded-words
  // be split without base64 padding (see split_runs() in notice_encode.cpp).
  return std::string(ja ? k.tag_ja : k.tag_en) + (ja ? "：" : ": ") +
         truncate_chars(original_subject(in, l), kSubjectChars);
}

}  // namespace

NoticeText notice_text(const NoticeInput& in) {
  NoticeText t;
  const bool with_ja = in.language != NoticeLanguage::English;
  const bool with_en = in.language != NoticeLanguage::Japanese;
  t.subject = "[preflight]";
  if (with_ja) t.subject += " " + subject_part(in, true);
  if (with_ja && with_en) t.subject += " /";
  if (with_en) t.subject += " " + subject_part(in, false);
  if (with_ja) add_section(in, true, t.lines);
  if (with_ja && with_en) {
    t.lines.emplace_back();
    t.lines.emplace_back(kSeparator);
    t.lines.emplace_back();
  }
  if (with_en) add_section(in, false, t.lines);
  return t;
}

std::string_view kind_name(NoticeKind kind) {
  switch (kind) {
    case NoticeKind::HeldForDelay:
      return "held-for-delay";
    case NoticeKind::ApprovalPending:
      return "approval-pending";
    case NoticeKind::ApprovalRequested:
      return "approval-requested";
    case NoticeKind::Approved:
      return "approved";
    case NoticeKind::Rejected:
      return "rejected";
    case NoticeKind::Expired:
      return "expired";
    case NoticeKind::Cancelled:
      return "cancelled";
    case NoticeKind::DeliveryFailed:
      return "delivery-failed";
    case NoticeKind::Detached:
      return "detached";
  }
  return "unknown";
}

std::string format_time(std::int64_t unix_seconds, bool japanese) {
  const auto shifted = static_cast<std::time_t>(unix_seconds + (japanese ? 9 * 3600 : 0));
  std::tm tm{};
  gmtime_r(&shifted, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d%s", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, japanese ? " (JST)" : " UTC");
  return buf;
}

}  // namespace preflight::queue::detail
