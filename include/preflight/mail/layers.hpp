// Whose words: a body text split into what the sender wrote for this mail, what it quotes from earlier
// mail, and the signature and disclaimer blocks that every mail carries. Pure functions on plain text
// (reduce HTML with html_to_text first; its blockquotes come out as "> " lines).
//
// Quoted: lines starting with '>' (or '＞'); an attribution line ("On … wrote:", "… さんは書きました:",
// "2026/11/23 10:00 … wrote:", "2026年11月23日(月) 10:00 田中 <t@example.jp>:") and, when no '>' lines
// follow it, everything after it; likewise "-----Original Message-----" / "-----元のメッセージ-----" and an
// Outlook header block ("From: / Sent: / To: / Subject:", "差出人: / 送信日時: / 宛先: / 件名:").
// Forwarded text ("---------- Forwarded message ---------", "Begin forwarded message:", "転送メッセージ"),
// with the header block right after the marker, is the sender's own: it is sent on purpose, and a
// forwarded customer list is a leak. In a forwarded mail (`forward`, e.g. a "Fwd:" subject) the first
// "Original Message" marker or header block starts the forwarded message, not a quote.
// Signature: the end of the sender's text after "-- " (or "--"), or after a separator line (====, ----,
// ━━━, ＿＿＿ …) followed by a contact line (TEL, 〒, @, 株式会社 …); at most 12 lines, 1,200 bytes and
// 80 digits, so a list under a separator stays the sender's own. Disclaimer: a closing paragraph that
// tells a wrong recipient what to do (CONFIDENTIALITY NOTICE, "intended recipient", "本メールは…誤って…
// 削除…"), at most 20 lines and 2,000 bytes; "本メールは社外秘です" alone is the sender's own marking.
#pragma once
#include <string>
#include <string_view>

namespace preflight::mail {

struct TextLayers {
  std::string own;        // the sender's words for this mail, forwarded text included; lines end in '\n'
  std::string quoted;     // quoted earlier mail (attribution lines and '>' lines as written)
  std::string signature;  // signature and disclaimer blocks outside quoted text
};

TextLayers split_layers(std::string_view text, bool forward = false);

}  // namespace preflight::mail
