// What an approver reviews: every text alternative, the truncation mark, and the measure of "text and
// HTML say different things" (include/preflight/mail/review.hpp).
#include <doctest/doctest.h>

#include "preflight/mail/parse.hpp"
#include "preflight/mail/review.hpp"

using namespace preflight;

TEST_CASE("text and HTML alternatives that differ materially are flagged, and ones that agree are not") {
  struct Row {
    std::string what, plain, html;
    std::vector<std::string> differences;
  };
  const std::string body = "Dear Sato,\nplease find the quote for the new project attached.\nTotal: 1,250,000 JPY\n";
  const std::vector<Row> rows = {
      {"the same words", body,
       "<p>Dear Sato,<br>please find the <b>quote</b> for the new project attached.</p><p>Total: 1,250,000 JPY</p>", {}},
      {"full-width digits are digits", "お見積り金額は 1250000 円です。ご確認ください。",
       "<div>お見積り金額は １,２５０,０００ 円です。ご確認ください。</div>", {}},
      {"a link whose target the text shows", "Pay here: https://pay.example.com/inv/42\nThank you for your order",
       "<p>Pay <a href=\"https://pay.example.com/inv/42\">here</a>: https://pay.example.com/inv/42</p><p>Thank you for your order</p>",
       {}},
      {"an account number only in HTML", "Please transfer the amount to our usual account by Friday, thanks",
       "<p>Please transfer the amount to account 9876543 by Friday, thanks</p>",
       {"only in text/html: 9876543"}},
      {"a link target the text does not show", "Pay here: https://pay.example.com/inv/42\nThank you for your order",
       "<p>Pay <a href=\"https://evil.example.net/inv/42\">here</a>: https://pay.example.com/inv/42</p>"
       "<p>Thank you for your order</p>",
       {"only in text/html: https://evil.example.net/inv/42"}},
      {"a different address", "Reply to sato@partner.example.com with any questions about the order",
       "<p>Reply to <a href=\"mailto:billing@other.example.net\">billing@other.example.net</a> with any questions "
       "about the order</p>",
       {"only in text/plain: sato@partner.example.com", "only in text/html: billing@other.example.net"}},
      {"other words", "The meeting is moved to the large room on the third floor tomorrow morning",
       "<p>Our bank details have changed, send the next payment to the new beneficiary today</p>",
       {"the words differ by 91 %"}},
  };
  for (const auto& row : rows) {
    CAPTURE(row.what);
    CHECK(mail::alternative_differences(row.plain, row.html) == row.differences);
  }
}

TEST_CASE("review texts: every alternative as text, each cut between characters with its full size") {
  std::string html_part(300, 'x');
  std::string raw =
      "From: a@example.co.jp\r\nTo: b@partner.example.com\r\nSubject: s\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/alternative; boundary=B\r\n\r\n"
      "--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n見積書をお送りします 12345\r\n"
      "--B\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>見積書をお送りします <b>99999</b></p><p>" + html_part +
      "</p>\r\n--B--\r\n";
  auto msg = mail::parse_message(raw);
  REQUIRE(msg.ok());
  auto r = mail::review_texts(*msg, 40);
  REQUIRE(r.texts.size() == 2);
  CHECK(r.texts[0].content_type == "text/plain");
  CHECK(r.texts[1].content_type == "text/html");
  CHECK(r.texts[1].text.find('<') == std::string::npos);  // reduced, never markup
  CHECK(r.texts[1].truncated());
  CHECK(r.texts[1].full_bytes > 300);
  CHECK(r.texts[1].text.size() <= 40);
  CHECK(r.texts[0].text.rfind("見積書", 0) == 0);
  CHECK(mail::review_texts(*msg, 4).texts[0].text == "見");  // never inside a 3-byte character
  CHECK(r.differences == std::vector<std::string>{"only in text/plain: 12345", "only in text/html: 99999"});
  CHECK(mail::truncation_mark(64 * 1024, 210 * 1024, false) == "… (truncated at 64 KiB of 210 KiB)");
  CHECK(mail::truncation_mark(64 * 1024, 210 * 1024, true) == "…（64 KiB で省略、全体 210 KiB）");
}
