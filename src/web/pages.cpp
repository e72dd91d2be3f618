// HTML for the action-link pages; see pages.hpp. Everything untrusted goes through html_escape, and
// only fixed text is written unescaped.
#include "pages.hpp"

#include "app_pages.hpp"

#include <vector>

namespace preflight::web::pages {

namespace {

constexpr std::string_view kStyle =
    "body{font-family:sans-serif;max-width:42em;margin:2em auto;padding:0 1em;line-height:1.5;color:#222}"
    "h1{font-size:1.4em}.en{color:#555}dl{display:grid;grid-template-columns:max-content 1fr;gap:.3em 1em}"
    "dt{font-weight:bold}dd{margin:0;overflow-wrap:anywhere}ul{margin:0;padding-left:1.2em}"
    "textarea{width:100%;min-height:5em}button{font-size:1.1em;padding:.4em 1.2em}";

struct Labels {
  const char* ja_question;
  const char* en_question;
  const char* ja_button;
  const char* en_button;
};

Labels labels_for(LinkAction a) {
  switch (a) {
    case LinkAction::Approve:
      return {"このメッセージを承認しますか？", "Approve this message?", "承認する", "Approve"};
    case LinkAction::Reject:
      return {"このメッセージを却下しますか？", "Reject this message?", "却下する", "Reject"};
    case LinkAction::Cancel:
      return {"このメッセージの送信を取り消しますか？", "Cancel sending this message?", "送信を取り消す",
              "Cancel sending"};
    case LinkAction::ApproveBcc:
      return {"社外の宛先を To/Cc から外し、Bcc として承認しますか？",
              "Approve this message with the outside addresses moved from To/Cc to Bcc?", "Bcc に変えて承認する",
              "Approve as Bcc"};
    case LinkAction::Download:
    case LinkAction::Fetch:
    case LinkAction::Revoke: break;  // never confirmed on this page (the server refuses them)
  }
  return labels_for(LinkAction::Approve);
}

// `title` and `body` are trusted HTML fragments built by this file.
std::string document(std::string_view title, std::string_view body) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<meta name=\"robots\" content=\"noindex, nofollow\"><title>";
  out += title;
  out += "</title><style>";
  out += kStyle;
  out += "</style></head><body>\n";
  out += body;
  out += "\n</body></html>\n";
  return out;
}

// A heading plus an explanation, Japanese line then English line; all arguments are fixed text except
// `detail`, which is escaped.
std::string message_page(std::string_view ja, std::string_view en, std::string_view detail = {}) {
  std::string body = "<h1>" + std::string(ja) + "<br><span class=\"en\">" + std::string(en) + "</span></h1>";
  if (!detail.empty()) body += "<p><code>" + html_escape(detail) + "</code></p>";
  return document(std::string(ja) + " / " + std::string(en), body);
}

std::string list_items(const std::vector<std::string>& items) {
  if (items.empty()) return "-";
  std::string out = "<ul>";
  for (const auto& item : items) out += "<li>" + html_escape(item) + "</li>";
  return out + "</ul>";
}

std::string row(std::string_view label, std::string_view html_value) {
  return "<dt>" + std::string(label) + "</dt><dd>" + std::string(html_value) + "</dd>";
}

std::string summary_list(const MessageSummary& s) {
  std::string out = "<dl>";
  out += row("差出人 / From", html_escape(s.sender));
  out += row("件名 / Subject", html_escape(s.subject));
  out += row("宛先 / Recipients", list_items(s.recipients));
  out += row("保留の理由 / Reasons", list_items(s.reasons));
  out += row("現在の状態 / Current state", html_escape(s.state));
  return out + "</dl>";
}

}  // namespace

std::string confirm(const MessageSummary& summary, const LinkClaims& claims, std::string_view token,
                    std::string_view csrf) {
  Labels l = labels_for(claims.action);
  std::string body = "<h1>" + std::string(l.ja_question) + "<br><span class=\"en\">" + l.en_question +
                     "</span></h1>";
  body += summary_list(summary);
  body += "<form method=\"post\" action=\"/link/" + html_escape(token) + "\">";
  body += "<input type=\"hidden\" name=\"csrf\" value=\"" + html_escape(csrf) + "\">";
  body += "<p><label for=\"comment\">コメント（任意） / Comment (optional)</label><br>";
  body += "<textarea id=\"comment\" name=\"comment\" maxlength=\"800\"></textarea></p>";
  body += "<p><button type=\"submit\">" + std::string(l.ja_button) + " / " + l.en_button + "</button></p>";
  body += "</form>";
  body += "<p class=\"en\">実行者 / Acting as: " + html_escape(claims.actor) + "</p>";
  return document(std::string(l.ja_question) + " / " + l.en_question, body);
}

std::string done(const LinkClaims& claims, std::string_view new_state) {
  std::string body = "<h1>完了しました<br><span class=\"en\">Done</span></h1>";
  body += "<dl>" + row("操作 / Action", link_action_name(claims.action));
  body += row("新しい状態 / New state", html_escape(new_state)) + "</dl>";
  body += "<p>このページは閉じてかまいません。<br><span class=\"en\">You may close this page.</span></p>";
  return document("完了しました / Done", body);
}

std::string conflict(std::string_view error) {
  return message_page("この操作は実行できませんでした", "This action could not be carried out", error);
}

std::string bad_link(std::string_view error) {
  if (error == "link expired")
    return message_page("このリンクは有効期限が切れています", "This link has expired", error);
  if (error == "invalid signature")
    return message_page("このリンクは無効です（署名が一致しません）", "This link is not valid (bad signature)",
                        error);
  return message_page("このリンクは正しくありません", "This link is malformed", error);
}

std::string unknown_message() {
  return message_page("このメッセージは見つかりません", "This message was not found");
}

std::string csrf_failed() {
  return message_page("確認ページからやり直してください", "Please start again from the confirmation page",
                      "CSRF check failed");
}

namespace {

std::string file_rows(const DetachedFileInfo& f) {
  std::string out = row("ファイル名 / File name", html_escape(f.filename));
  out += row("サイズ / Size", std::to_string(f.size) + " bytes");
  out += row("有効期限 / Expires", html_escape(app_pages::when(f.expires_at)));
  return out;
}

std::string one_time_form(std::string_view path, std::string_view token, std::string_view form_token,
                          std::string_view ja, std::string_view en) {
  std::string out = "<form method=\"post\" action=\"/" + std::string(path) + "/" + html_escape(token) + "\">";
  out += "<input type=\"hidden\" name=\"fetch\" value=\"" + html_escape(form_token) + "\">";
  out += "<p><button type=\"submit\">" + std::string(ja) + " / " + std::string(en) + "</button></p></form>";
  return out;
}

}  // namespace

std::string file_page(const DetachedFileInfo& file, std::string_view token, std::string_view form_token) {
  std::string body = "<h1>添付ファイルのダウンロード<br><span class=\"en\">Download an attachment</span></h1>";
  body += "<dl>" + file_rows(file) + "</dl>";
  if (file.state != "active")
    return document("添付ファイル / Attachment",
                    body + "<p>このファイルはもうダウンロードできません。<br><span class=\"en\">This file can no "
                           "longer be downloaded.</span></p>");
  body += one_time_form("file", token, form_token, "ダウンロード", "Download");
  return document("添付ファイル / Attachment", body);
}

std::string unknown_file() { return message_page("このファイルは見つかりません", "This file was not found"); }

std::string file_refused(std::string_view reason) {
  return message_page("このファイルはダウンロードできません", "This file cannot be downloaded", reason);
}

std::string form_expired() {
  return message_page("リンクを開き直してください", "Please open the link again",
                      "the download form was used already or is too old");
}

std::string revoke_page(const std::vector<DetachedFileInfo>& files, std::string_view token,
                        std::string_view form_token) {
  std::string body = "<h1>添付ファイルのリンクを取り消しますか？<br><span class=\"en\">Revoke the download links of "
                     "these attachments?</span></h1>";
  for (const auto& f : files)
    body += "<dl>" + file_rows(f) + row("状態 / State", html_escape(f.state)) +
            row("ダウンロード回数 / Downloads", std::to_string(f.downloads)) + "</dl>";
  body += one_time_form("revoke", token, form_token, "取り消す", "Revoke");
  return document("リンクの取り消し / Revoke links", body);
}

std::string revoked(std::size_t files) {
  return message_page("リンクを取り消しました", "The links were revoked",
                      std::to_string(files) + " file(s) deleted");
}

std::string error_status(int status) {
  switch (status) {
    case 404: return message_page("ページが見つかりません", "Not found");
    case 400: return message_page("リクエストが正しくありません", "Bad request");
    case 413: return message_page("送信内容が大きすぎます", "Request too large");
    case 405: return message_page("この操作は使えません", "Method not allowed");
    default: return message_page("エラーが発生しました", "An error occurred", "HTTP " + std::to_string(status));
  }
}

}  // namespace preflight::web::pages
