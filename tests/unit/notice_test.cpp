// Unit tests for queue/notice: every notice is parsed back with GMime, as a receiving client would, and
// checked for its words (both languages, reasons, links, recipient marks) and for its wire form (CRLF,
// 998-byte lines, 7-bit ISO-2022-JP in ASCII mode at each line end, RFC 2047 words, no header injection).
#include "preflight/queue/notice.hpp"

#include <doctest/doctest.h>
#include <gmime/gmime.h>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

using namespace preflight::queue;

namespace {

constexpr std::int64_t kNow = 1714521600;  // 2024-05-01 00:00 UTC = 09:00 JST

NoticeInput sample(NoticeCharset charset, NoticeKind kind = NoticeKind::ApprovalRequested) {
  NoticeInput in;
  in.kind = kind;
  in.charset = charset;
  in.from = "preflight@example.co.jp";
  in.to = "boss@example.co.jp";
  in.held_id = "H-20240501-0001";
  in.original_sender = "taro@example.co.jp";
  in.original_subject = "お見積りの件";
  in.recipients = {{"a@partner.com", true, true}, {"b@example.co.jp", false, false}};
  in.reasons = {"社外の初回宛先があります", "Attachment with password-less ZIP"};
  in.attachment_names = {"見積書.pdf"};
  in.approvers = {"boss@example.co.jp"};
  in.release_at = kNow + 600;
  in.expires_at = kNow + 3600;
  in.now = kNow;
  in.links = {{"承認する", "Approve", "https://pf.example.co.jp/a/1"},
              {"却下する", "Reject", "https://pf.example.co.jp/r/1"}};
  return in;
}

// What a client sees: decoded Subject and body text, and the header fields by name.
struct Parsed {
  std::string subject, body, content_type, encoding;
  int header_count = 0;
  bool has_bcc = false;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
  std::map<std::string, std::string> headers;
};

Parsed parse(const std::string& raw) {
  g_mime_init();
  GMimeStream* stream = g_mime_stream_mem_new_with_buffer(raw.data(), raw.size());
  GMimeParser* parser = g_mime_parser_new_with_stream(stream);
  g_object_unref(stream);
  GMimeMessage* msg = g_mime_parser_construct_message(parser, nullptr);
  g_object_unref(parser);
  REQUIRE(msg != nullptr);
  Parsed p;
  const char* subject = g_mime_message_get_subject(msg);
  p.subject = subject ? subject : "";
  GMimeHeaderList* list = g_mime_object_get_header_list(GMIME_OBJECT(msg));
  p.header_count = g_mime_header_list_get_count(list);
  for (int i = 0; i < p.header_count; ++i) {
    GMimeHeader* h = g_mime_header_list_get_header_at(list, i);
    const char* value = g_mime_header_get_value(h);
    p.headers[g_mime_header_get_name(h)] = value ? value : "";
  }
  p.has_bcc = g_mime_object_get_header(GMIME_OBJECT(msg), "Bcc") != nullptr;
  GMimeObject* part = g_mime_message_get_mime_part(msg);
  REQUIRE(GMIME_IS_TEXT_PART(part));
  char* text = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
  for (const char* c = text; c && *c; ++c)
    if (*c != '\r') p.body += *c;  // compare text by lines, whatever the line end
  g_free(text);
  const char* charset = g_mime_object_get_content_type_parameter(part, "charset");
  p.content_type = charset ? charset : "";
  g_object_unref(msg);
  return p;
}

std::vector<std::string> crlf_lines(const std::string& raw) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < raw.size()) {
    const std::size_t end = raw.find("\r\n", start);
    if (end == std::string::npos) {
      lines.push_back(raw.substr(start));  // an unterminated tail: callers see it as a bad line
      break;
    }
    lines.push_back(raw.substr(start, end - start));
    start = end + 2;
  }
  return lines;
}

// The wire-form rules every notice must keep.
void check_wire_form(const std::string& raw, bool seven_bit_jis) {
  CHECK(raw.size() > 2);
  CHECK(raw.substr(raw.size() - 2) == "\r\n");
  for (const std::string& line : crlf_lines(raw)) {
    CHECK(line.size() <= 998);
    CHECK(line.find('\r') == std::string::npos);
    CHECK(line.find('\n') == std::string::npos);
    if (!seven_bit_jis) continue;
    int eight_bit = 0;
    for (unsigned char c : line) eight_bit += c >= 0x80;
    CHECK(eight_bit == 0);
    // RFC 1468: back in ASCII at the end of every line.
    const std::size_t jis = line.rfind("\x1B$B"), ascii = line.rfind("\x1B(B");
    if (jis != std::string::npos) CHECK((ascii != std::string::npos && ascii > jis));
  }
}

std::string header_block(const std::string& raw) { return raw.substr(0, raw.find("\r\n\r\n") + 2); }

// The raw encoded-words of the Subject header.
// The space-separated words of the unfolded Subject header, as they are on the wire.
std::vector<std::string> subject_words(const std::string& raw) {
  std::vector<std::string> words;
  bool in_subject = false;
  for (const std::string& line : crlf_lines(header_block(raw))) {
    if (line.rfind("Subject:", 0) == 0)
      in_subject = true;
    else if (line.empty() || line[0] != ' ')
      in_subject = false;
    if (!in_subject) continue;
    std::string word;
    for (char c : line.substr(line.rfind("Subject:", 0) == 0 ? 8 : 0) + " ") {
      if (c != ' ')
        word += c;
      else if (!word.empty())
        words.push_back(std::exchange(word, {}));
    }
  }
  return words;
}

std::string b64_decode(const std::string& s) {
  gsize len = 0;
  guchar* bytes = g_base64_decode(s.c_str(), &len);
  std::string out(reinterpret_cast<char*>(bytes), len);
  g_free(bytes);
  return out;
}

// Decodes each encoded-word on its own, from the initial (ASCII) state, checking its form on the way; a
// word cut inside a character or an escape sequence would not convert. Returns the displayed text.
std::string decode_words_one_by_one(const std::vector<std::string>& words, NoticeCharset cs) {
  const std::string prefix = cs == NoticeCharset::Utf8 ? "=?UTF-8?B?" : "=?ISO-2022-JP?B?";
  const char* charset = cs == NoticeCharset::Utf8 ? "UTF-8" : "ISO-2022-JP";
  std::string joined;
  bool prev_encoded = false;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    CHECK(w.size() <= 75);
    const bool encoded = w.rfind("=?", 0) == 0;
    if (!joined.empty() && !(encoded && prev_encoded)) joined += ' ';  // only this space is displayed
    prev_encoded = encoded;
    if (!encoded) {  // printable ASCII may stand as it is between encoded-words
      for (char c : w) CHECK((c > 0x20 && c < 0x7F));
      joined += w;
      continue;
    }
    REQUIRE(w.rfind(prefix, 0) == 0);
    // No padding before a neighbouring encoded-word: decoders that join adjacent words before decoding
    // (GMime 3.2.13, the one in Debian 12) stop at the first '=' and lose the rest.
    if (i + 1 < words.size() && words[i + 1].rfind("=?", 0) == 0) CHECK(w.find("=?=") == std::string::npos);
    const std::string bytes = b64_decode(w.substr(prefix.size(), w.size() - prefix.size() - 2));
    gsize written = 0;
    gchar* utf8 =
        g_convert(bytes.data(), static_cast<gssize>(bytes.size()), "UTF-8", charset, nullptr, &written, nullptr);
    REQUIRE(utf8 != nullptr);
    joined.append(utf8, written);
    g_free(utf8);
  }
  return joined;
}

void check_full_content(const Parsed& p) {
  CHECK(p.subject.find("[preflight]") == 0);
  CHECK(p.subject.find("承認依頼：お見積りの件") != std::string::npos);
  CHECK(p.subject.find("Approval requested: お見積りの件") != std::string::npos);
  CHECK(p.body.find("次のメールの送信承認が依頼されています") != std::string::npos);
  CHECK(p.body.find("Your approval is requested for the following mail") != std::string::npos);
  CHECK(p.body.find("社外の初回宛先があります") != std::string::npos);
  CHECK(p.body.find("Attachment with password-less ZIP") != std::string::npos);
  CHECK(p.body.find("承認する: https://pf.example.co.jp/a/1") != std::string::npos);
  CHECK(p.body.find("却下する: https://pf.example.co.jp/r/1") != std::string::npos);
  CHECK(p.body.find("Approve: https://pf.example.co.jp/a/1") != std::string::npos);
  CHECK(p.body.find("Reject: https://pf.example.co.jp/r/1") != std::string::npos);
  CHECK(p.body.find("a@partner.com [社外] [初回]") != std::string::npos);
  CHECK(p.body.find("a@partner.com [external] [first-time]") != std::string::npos);
  CHECK(p.body.find("b@example.co.jp\n") != std::string::npos);  // internal, known: no marks
  CHECK(p.body.find("taro@example.co.jp") != std::string::npos);
  CHECK(p.body.find("見積書.pdf") != std::string::npos);
  CHECK(p.body.find("承認期限: 2024-05-01 10:00 (JST)") != std::string::npos);
  CHECK(p.body.find("Decision deadline: 2024-05-01 01:00 UTC") != std::string::npos);
  CHECK(p.body.find("H-20240501-0001") != std::string::npos);
  // Japanese first, then a separator, then English.
  const std::size_t sep = p.body.find("\n-----");
  CHECK(sep != std::string::npos);
  CHECK(p.body.find("承認する:") < sep);
  CHECK(p.body.find("Approve:") > sep);
  CHECK(p.header("Auto-Submitted") == "auto-generated");
  CHECK(p.header("X-Preflight-Notice") == "approval-requested");
  CHECK(p.header("X-Preflight-Held-Id") == "H-20240501-0001");
  CHECK(p.header("MIME-Version") == "1.0");
  CHECK(p.header("Message-ID").find("@example.co.jp>") != std::string::npos);
  CHECK(p.header("Date") == "Wed, 01 May 2024 09:00:00 +0900");
}

}  // namespace

TEST_CASE("UTF-8 notice carries both languages, reasons, links and marked recipients") {
  const std::string raw = compose_notice(sample(NoticeCharset::Utf8));
  check_wire_form(raw, false);
  CHECK(header_block(raw).find("Content-Type: text/plain; charset=UTF-8\r\n") != std::string::npos);
  CHECK(header_block(raw).find("Content-Transfer-Encoding: base64\r\n") != std::string::npos);
  for (const std::string& line : crlf_lines(raw.substr(raw.find("\r\n\r\n") + 4))) CHECK(line.size() <= 76);
  const Parsed p = parse(raw);
  CHECK(p.content_type == "UTF-8");
  check_full_content(p);
}

TEST_CASE("ISO-2022-JP notice is 7-bit, ends lines in ASCII mode and decodes to the same text") {
  const std::string raw = compose_notice(sample(NoticeCharset::Iso2022jp));
  check_wire_form(raw, true);
  CHECK(header_block(raw).find("Content-Type: text/plain; charset=ISO-2022-JP\r\n") != std::string::npos);
  CHECK(header_block(raw).find("Content-Transfer-Encoding: 7bit\r\n") != std::string::npos);
  CHECK(raw.find("\x1B$B") != std::string::npos);
  const Parsed p = parse(raw);
  CHECK(p.content_type == "ISO-2022-JP");
  check_full_content(p);
}

TEST_CASE("Subject encoded-words are short and split only on character boundaries") {
  NoticeInput in = sample(NoticeCharset::Utf8);
  // The ASCII letters shift the UTF-8 byte count off multiples of 3: splitting where base64 needs no
  // padding takes more than filling each word to the brim.
  const std::string subjects[] = {"長い件名の見積書と請求書と納品書の送付について、ご確認をお願いいたします 😀 abc",
                                  "AB社向けの見積書と請求書とC納品書の送付についてのご確認をお願いします"};
  for (const std::string& subject : subjects)
    for (NoticeCharset cs : {NoticeCharset::Utf8, NoticeCharset::Iso2022jp}) {
      CAPTURE(subject);
      in.original_subject = subject;
      in.charset = cs;
      const std::string raw = compose_notice(in);
      const auto words = subject_words(raw);
      REQUIRE(words.size() > 2);
      const std::string joined = decode_words_one_by_one(words, cs);
      const Parsed p = parse(raw);
      CHECK(joined == p.subject);
      CHECK(p.subject.find(subject.substr(0, subject.find(' '))) != std::string::npos);
    }
}

TEST_CASE("CR/LF in untrusted values cannot create a header") {
  for (NoticeCharset cs : {NoticeCharset::Utf8, NoticeCharset::Iso2022jp}) {
    NoticeInput in = sample(cs);
    const int clean_count = parse(compose_notice(in)).header_count;
    in.original_subject = "hello\r\nBcc: evil@x";
    in.to = "boss@example.co.jp\r\nBcc: evil2@x";
    in.held_id = "H1\nBcc: evil3@x";
    in.comment = "ok\x07\x1B[31mred\x1B$B";
    in.attachment_names = {"a\rb.pdf", "c\x0Bd.pdf"};
    const std::string raw = compose_notice(in);
    check_wire_form(raw, cs == NoticeCharset::Iso2022jp);
    CHECK(header_block(raw).find("\r\nBcc:") == std::string::npos);
    const Parsed p = parse(raw);
    CHECK_FALSE(p.has_bcc);
    CHECK(p.header_count == clean_count);
    CHECK(p.subject.find("hello") != std::string::npos);
    CHECK(p.subject.find('\n') == std::string::npos);
    CHECK(p.body.find("hello  Bcc: evil@x") != std::string::npos);  // shown, defused
    int controls = 0;
    for (char c : p.body) controls += c != '\n' && static_cast<unsigned char>(c) < 0x20;
    CHECK(controls == 0);
  }
}

TEST_CASE("ISO-2022-JP replaces only the characters it cannot carry") {
  NoticeInput in = sample(NoticeCharset::Iso2022jp);
  in.original_subject = "資料送付😀の件①髙橋様～¥100";
  in.reasons = {"絵文字😀を含む理由", "普通の理由"};
  const std::string raw = compose_notice(in);
  check_wire_form(raw, true);
  const Parsed p = parse(raw);
  CHECK(p.subject.find("資料送付〓の件1〓橋様〜￥100") != std::string::npos);
  CHECK(p.body.find("件名: 資料送付〓の件1〓橋様〜￥100") != std::string::npos);
  CHECK(p.body.find("絵文字〓を含む理由") != std::string::npos);
  CHECK(p.body.find("普通の理由") != std::string::npos);
  CHECK(p.body.find("承認する: https://pf.example.co.jp/a/1") != std::string::npos);
  CHECK(p.body.find("Approve: https://pf.example.co.jp/a/1") != std::string::npos);
  CHECK(p.body.find("\xEF\xBF\xBD") == std::string::npos);  // nothing undecodable reached the client
}

TEST_CASE("Very long input stays within 998-byte lines and survives intact") {
  std::string long_reason;
  for (int i = 0; i < 400; ++i) long_reason += "長い理由";
  const std::string long_url = "https://pf.example.co.jp/a/" + std::string(1500, 'x');
  for (NoticeCharset cs : {NoticeCharset::Utf8, NoticeCharset::Iso2022jp}) {
    NoticeInput in = sample(cs);
    in.original_subject = std::string(3000, 's');
    in.reasons = {long_reason};
    in.links = {{"承認する", "Approve", long_url}};
    in.to = std::string(1200, 't') + "@example.co.jp";
    const std::string raw = compose_notice(in);
    check_wire_form(raw, cs == NoticeCharset::Iso2022jp);
    const Parsed p = parse(raw);
    std::string body;  // hard-wrapped lines joined again
    for (char c : p.body)
      if (c != '\n' && c != '\r') body += c;
    CHECK(body.find(long_reason) != std::string::npos);
    CHECK(body.find(long_url) != std::string::npos);
    CHECK(p.subject.size() < 400);  // the original subject is shortened in the notice's Subject
  }
}

TEST_CASE("Every kind has its own subject and kind header") {
  const NoticeKind kinds[] = {NoticeKind::HeldForDelay, NoticeKind::ApprovalPending, NoticeKind::ApprovalRequested,
                              NoticeKind::Approved,     NoticeKind::Rejected,        NoticeKind::Expired,
                              NoticeKind::Cancelled,    NoticeKind::DeliveryFailed};
  for (NoticeLanguage lang :
       {NoticeLanguage::JapaneseEnglish, NoticeLanguage::Japanese, NoticeLanguage::English}) {
    std::set<std::string> subjects, names;
    for (NoticeKind k : kinds) {
      NoticeInput in = sample(NoticeCharset::Utf8, k);
      in.language = lang;
      const Parsed p = parse(compose_notice(in));
      subjects.insert(p.subject);
      names.insert(p.header("X-Preflight-Notice"));
      if (k == NoticeKind::Expired || k == NoticeKind::DeliveryFailed) {
        in.released = true;
        subjects.insert(parse(compose_notice(in)).subject);
      }
    }
    CHECK(subjects.size() == 10);
    CHECK(names.size() == 8);
  }
}

TEST_CASE("Language selection and kind-specific details") {
  NoticeInput in = sample(NoticeCharset::Utf8, NoticeKind::HeldForDelay);
  in.language = NoticeLanguage::Japanese;
  Parsed p = parse(compose_notice(in));
  CHECK(p.body.find("送信予定: 2024-05-01 09:10 (JST)") != std::string::npos);
  CHECK(p.body.find("Scheduled") == std::string::npos);
  CHECK(p.body.find("-----") == std::string::npos);
  CHECK(p.subject == "[preflight] 送信保留：お見積りの件");

  in.language = NoticeLanguage::English;
  p = parse(compose_notice(in));
  CHECK(p.body.find("Scheduled for: 2024-05-01 00:10 UTC") != std::string::npos);
  CHECK(p.body.find("送信予定") == std::string::npos);
  CHECK(p.subject == "[preflight] Held: お見積りの件");

  in = sample(NoticeCharset::Iso2022jp, NoticeKind::Rejected);
  in.comment = "宛先を確認してください。\nPlease check the recipients.";
  p = parse(compose_notice(in));
  CHECK(p.body.find("承認者のコメント:\n  宛先を確認してください。\n  Please check the recipients.") !=
        std::string::npos);
  CHECK(p.body.find("Approver's comment:") != std::string::npos);
  CHECK(p.body.find("承認期限") == std::string::npos);  // deadlines belong to pending approvals only
}

TEST_CASE("An approval request shows every text part with its cut marked, and the differences first") {
  NoticeInput in = sample(NoticeCharset::Utf8, NoticeKind::ApprovalRequested);
  in.language = NoticeLanguage::English;
  in.bodies = {{"text/plain", "pay to 1234567\nthanks", "", ""},
               {"text/html", "pay to 9876543", "…（8 KiB で省略、全体 20 KiB）", "… (truncated at 8 KiB of 20 KiB)"}};
  in.differences = {"only in text/html: 9876543"};
  Parsed p = parse(compose_notice(in));
  CHECK(p.body.find("Warning: the text and HTML versions say different things:\n  - only in text/html: 9876543") !=
        std::string::npos);
  CHECK(p.body.find("Body (HTML shown as text):\n  [text/plain]\n  | pay to 1234567\n  | thanks\n  [text/html]\n"
                    "  | pay to 9876543\n  … (truncated at 8 KiB of 20 KiB)") != std::string::npos);
  CHECK(p.body.find("Warning") < p.body.find("Body (HTML"));

  in = sample(NoticeCharset::Utf8, NoticeKind::DeliveryFailed);
  in.language = NoticeLanguage::English;
  in.undelivered = {"gone@partner.example.com: RCPT TO: 550 5.1.1 no such user"};
  in.released = true;
  p = parse(compose_notice(in));
  CHECK(p.header("X-Preflight-Notice") == "delivery-failed");
  CHECK(p.body.find("It has been sent to the others.") != std::string::npos);
  CHECK(p.body.find("Not delivered to:\n  - gone@partner.example.com: RCPT TO: 550 5.1.1 no such user") !=
        std::string::npos);
}

TEST_CASE("Notices are deterministic, and distinct notices get distinct Message-IDs") {
  const NoticeInput in = sample(NoticeCharset::Utf8);
  CHECK(compose_notice(in) == compose_notice(in));
  NoticeInput other = in;
  other.to = "deputy@example.co.jp";
  CHECK(parse(compose_notice(in)).header("Message-ID") != parse(compose_notice(other)).header("Message-ID"));
}

TEST_CASE("Bidi overrides in attachment names are made visible") {
  NoticeInput in = sample(NoticeCharset::Utf8);
  in.attachment_names = {"invoice\u202Efdp.exe"};
  const Parsed p = parse(compose_notice(in));
  CHECK(p.body.find("invoice\uFFFDfdp.exe") != std::string::npos);
  CHECK(p.body.find("\u202E") == std::string::npos);
}
