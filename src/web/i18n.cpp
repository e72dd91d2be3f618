// The one catalogue of the web queue's texts; see i18n.hpp. Keys are stable identifiers, values are
// trusted HTML-free text (pages escape them anyway).
#include "i18n.hpp"

#include <map>

#include "preflight/util/strings.hpp"

namespace preflight::web {

namespace {

struct Text {
  const char* ja;
  const char* en;
};

const std::map<std::string_view, Text>& catalogue() {
  static const std::map<std::string_view, Text> k = {
      {"app", {"preflight 保留メール", "preflight held mail"}},
      {"sign_in", {"サインイン", "Sign in"}},
      {"sign_out", {"サインアウト", "Sign out"}},
      {"user", {"ユーザー名", "User name"}},
      {"password", {"パスワード", "Password"}},
      {"login_failed", {"ユーザー名またはパスワードが違います。", "Wrong user name or password."}},
      {"locked", {"失敗が多すぎます。しばらくしてからもう一度お試しください。",
                  "Too many failed attempts. Please try again later."}},
      {"queue", {"保留キュー", "Queue"}},
      {"dashboard", {"ダッシュボード", "Dashboard"}},
      {"state", {"状態", "State"}},
      {"reason", {"理由", "Reason"}},
      {"reasons", {"保留の理由", "Why it was held"}},
      {"sender", {"送信者", "Sender"}},
      {"department", {"部署", "Department"}},
      {"subject", {"件名", "Subject"}},
      {"recipients", {"宛先", "Recipients"}},
      {"held_at", {"保留日時", "Held at"}},
      {"approvers", {"承認者", "Approvers"}},
      {"search", {"検索", "Search"}},
      {"search_hint", {"件名・送信者・宛先", "subject, sender, recipient"}},
      {"min_age", {"経過日数（以上）", "Age at least (days)"}},
      {"sort", {"並び順", "Sort"}},
      {"newest", {"新しい順", "Newest first"}},
      {"oldest", {"古い順", "Oldest first"}},
      {"apply", {"絞り込む", "Filter"}},
      {"any", {"すべて", "Any"}},
      {"total", {"件", "messages"}},
      {"page", {"ページ", "Page"}},
      {"prev", {"前へ", "Previous"}},
      {"next", {"次へ", "Next"}},
      {"none", {"該当するメールはありません。", "No messages."}},
      {"select", {"選択", "Select"}},
      {"bulk_approve", {"選択したメールを承認", "Approve selected"}},
      {"bulk_reject", {"選択したメールを却下", "Reject selected"}},
      {"approve", {"承認する", "Approve"}},
      {"reject", {"却下する", "Reject"}},
      {"approve_bcc", {"Bcc に変えて承認する", "Approve as Bcc"}},
      {"approve_bcc_note", {"Bcc に変えて承認すると、次のアドレスを To/Cc から外して送信します（全員に届きますが、互いのアドレスは見えません）：",
                            "Approving as Bcc takes these addresses out of To/Cc (everyone still receives the mail, "
                            "but nobody sees the others' addresses):"}},
      {"sort_created_at", {"保留日時", "Held at"}},
      {"sort_sender", {"送信者", "Sender"}},
      {"sort_subject", {"件名", "Subject"}},
      {"sort_state", {"状態", "State"}},
      {"sort_department", {"部署", "Department"}},
      {"sort_size", {"サイズ", "Size"}},
      {"order", {"順序", "Order"}},
      {"ascending", {"昇順", "Ascending"}},
      {"descending", {"降順", "Descending"}},
      {"comment", {"コメント", "Comment"}},
      {"decided", {"処理しました", "Done"}},
      {"envelope_rcpts", {"エンベロープの宛先", "Envelope recipients"}},
      {"header_rcpts", {"ヘッダーの宛先 (To/Cc)", "Header recipients (To/Cc)"}},
      {"internal", {"社内", "internal"}},
      {"external", {"社外", "external"}},
      {"first_time", {"初めての宛先", "first time"}},
      {"lookalike", {"類似ドメイン", "look-alike"}},
      {"mailing_list", {"メーリングリスト", "mailing list"}},
      {"facts", {"根拠", "Facts"}},
      {"attachments", {"添付ファイル", "Attachments"}},
      {"type", {"種類", "Type"}},
      {"size", {"サイズ", "Size"}},
      {"encrypted", {"暗号化", "encrypted"}},
      {"macros", {"マクロ", "macros"}},
      {"executable", {"実行形式", "executable"}},
      {"hidden_sheets", {"非表示シート", "Hidden sheets"}},
      {"body", {"本文（テキスト表示）", "Body (plain text)"}},
      {"html_note", {"HTML は表示せず、テキストのみ表示しています。すべてのテキスト・HTML パートを表示します。",
                     "HTML is never rendered; text only. Every text and HTML part is shown."}},
      {"alternatives_differ", {"テキスト版と HTML 版の内容が食い違っています:",
                               "The text and HTML versions of this mail say different things:"}},
      {"audit", {"監査記録", "Audit trail"}},
      {"at", {"日時", "When"}},
      {"actor", {"操作者", "Who"}},
      {"action", {"操作", "Action"}},
      {"held_per_day", {"日別の保留件数", "Held per day"}},
      {"held_per_reason", {"理由別の保留件数", "Held per reason"}},
      {"held_per_department", {"部署別の保留件数", "Held per department"}},
      {"median_decision", {"判断までの時間（中央値）", "Median time to decision"}},
      {"pending", {"未処理", "Pending"}},
      {"decided_count", {"処理済み", "Decided"}},
      {"last_30_days", {"過去30日間", "Last 30 days"}},
      {"minutes", {"分", "min"}},
      {"unknown", {"（不明）", "(unknown)"}},
      {"approver_load", {"承認者ごとの負荷（未処理は現在、処理済みは過去30日間）",
                         "Load per approver (pending now, decided in the last 30 days)"}},
      {"approver_heading", {"承認者", "Approver"}},
      {"no_approvers", {"承認待ちも処理済みの承認もありません。", "No pending or decided approvals."}},
      {"forbidden", {"この操作は許可されていません。", "You may not do this."}},
      {"not_found", {"見つかりません。", "Not found."}},
      {"csrf_failed", {"フォームの有効期限が切れました。もう一度お試しください。",
                       "The form has expired. Please try again."}},
      {"error", {"エラーが発生しました。", "Something went wrong."}},
      {"bulk_failed", {"一部のメールは処理できませんでした。", "Some messages could not be decided."}},
      {"bulk_done", {"処理できた件数", "Decided"}},
      {"read_only", {"閲覧のみ（監査者）", "Read only (auditor)"}},
      {"back", {"キューに戻る", "Back to the queue"}},
      {"held", {"保留中", "held"}},
      {"approved", {"承認済み", "approved"}},
      {"rejected", {"却下", "rejected"}},
      {"cancelled", {"取り消し", "cancelled"}},
      {"expired", {"期限切れ", "expired"}},
      {"released", {"送信済み", "released"}},
      {"returned", {"返却", "returned"}},
      {"failed", {"配信失敗", "failed"}},
      {"delivery", {"配信結果", "Delivery"}},
      {"recipient", {"宛先", "Recipient"}},
      {"reply", {"サーバーの応答", "Server reply"}},
      {"delivery_sent", {"送信済み", "sent"}},
      {"delivery_deferred", {"再送待ち", "deferred"}},
      {"delivery_failed", {"配信不能", "failed"}},
      {"admin", {"管理者", "administrator"}},
      {"approver", {"承認者", "approver"}},
      {"auditor", {"監査者", "auditor"}},
  };
  return k;
}

}  // namespace

Lang choose_lang(std::string_view cookie, std::string_view accept_language) {
  if (cookie == "ja") return Lang::Ja;
  if (cookie == "en") return Lang::En;
  // Accept-Language lists preferences in order (q-values are nearly always descending); take the first
  // one we have.
  for (const auto& part : util::split(accept_language, ',')) {
    std::string tag = util::to_lower(util::trim(part.substr(0, part.find(';'))));
    if (tag.rfind("ja", 0) == 0) return Lang::Ja;
    if (tag.rfind("en", 0) == 0) return Lang::En;
  }
  return Lang::Ja;
}

const char* lang_code(Lang l) { return l == Lang::Ja ? "ja" : "en"; }

std::string tr(Lang l, std::string_view key) {
  auto it = catalogue().find(key);
  if (it == catalogue().end()) return std::string(key);
  return l == Lang::Ja ? it->second.ja : it->second.en;
}

}  // namespace preflight::web
