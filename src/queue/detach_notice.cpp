// The notice that takes the attachments' place in a detached mail; see detach.hpp. File names are the
// sender's text: cleaned (no control or bidi characters) and, in HTML, escaped.
#include "notice_encode.hpp"
#include "notice_text.hpp"
#include "preflight/queue/detach.hpp"
#include "preflight/util/strings.hpp"

namespace preflight::queue {

DetachNotice detach_notice(const std::vector<NoticeFile>& files, std::int64_t expires_at) {
  const std::string ja_until = detail::format_time(expires_at, true), en_until = detail::format_time(expires_at, false);
  DetachNotice n;
  n.text = "添付ファイルはダウンロードリンクに置き換えられました。" + ja_until + " まで有効です。\r\n"
           "The attachments of this mail were replaced by download links, valid until " + en_until + ".\r\n\r\n";
  n.html = "<!DOCTYPE html><html><body><p>添付ファイルはダウンロードリンクに置き換えられました。" +
           util::html_escape(ja_until) + " まで有効です。<br>The attachments of this mail were replaced by download "
           "links, valid until " + util::html_escape(en_until) + ".</p><ul>";
  for (const auto& f : files) {
    const std::string name = detail::clean_text(f.filename), size = std::to_string(f.size) + " bytes";
    n.text += "  " + name + " (" + size + ")\r\n  " + f.url + "\r\n\r\n";
    n.html += "<li><a href=\"" + util::html_escape(f.url) + "\">" + util::html_escape(name) + "</a> (" + size + ")</li>";
  }
  n.text += "リンクを開くとダウンロード用のページが表示されます。\r\nThe link opens a page with a download button.\r\n";
  n.html += "</ul><p>リンクを開くとダウンロード用のページが表示されます。<br>The link opens a page with a download "
            "button.</p></body></html>";
  return n;
}

}  // namespace preflight::queue
