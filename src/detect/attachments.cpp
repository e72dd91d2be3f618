// Attachment inspection and content scanning facts; see attachments.hpp.
#include "preflight/detect/attachments.hpp"

#include <algorithm>

#include "preflight/detect/content.hpp"
#include "preflight/detect/recipient_checks.hpp"
#include "preflight/inspect/inspect.hpp"
#include "preflight/util/charset.hpp"
#include "preflight/util/strings.hpp"

namespace preflight::detect {

namespace {

std::int64_t count(std::size_t n) { return static_cast<std::int64_t>(n); }

struct Tally {
  std::int64_t files = 0, encrypted = 0, unencrypted = 0, macros = 0, executables = 0, unknown_kind = 0;
  bool encrypted_archive = false, bomb = false;
  StringList kinds, names, hidden_sheets, sheets, incomplete_names, incomplete_reasons, unknown_kind_names;
  std::string text;  // attachment names and texts, for the content scanner
};

bool is_archive(const std::string& kind) { return kind == "zip" || kind == "7z" || kind == "rar"; }

void add_once(StringList& list, const std::string& s) {
  if (std::find(list.begin(), list.end(), s) == list.end()) list.push_back(s);
}

// A report's incomplete reasons include its children's; it is named where a reason arose: for a reason
// none of its children has.
void tally_incomplete(const inspect::FileReport& r, Tally& t) {
  bool own = false;
  for (const auto& reason : r.incomplete) {
    add_once(t.incomplete_reasons, reason);
    own = own || std::none_of(r.children.begin(), r.children.end(), [&](const inspect::FileReport& c) {
            return std::find(c.incomplete.begin(), c.incomplete.end(), reason) != c.incomplete.end();
          });
  }
  if (own) t.incomplete_names.push_back(util::nfkc(r.name));
}

// Counts a report and, for archives, the files inside (an encrypted archive counts as encrypted).
void tally(const inspect::FileReport& r, bool top, Tally& t) {
  if (top) ++t.files, ++(r.encrypted ? t.encrypted : t.unencrypted);
  t.encrypted_archive = t.encrypted_archive || (r.encrypted && is_archive(r.kind));
  t.macros += r.macros;
  t.executables += r.executable;
  t.bomb = t.bomb || r.bomb;
  tally_incomplete(r, t);
  add_once(t.kinds, r.kind);
  t.names.push_back(util::nfkc(r.name));
  // An encrypted entry is unreadable by design, not of an unknown kind: attachments.encrypted says so.
  if (r.kind == "unknown" && !r.encrypted) ++t.unknown_kind, t.unknown_kind_names.push_back(util::nfkc(r.name));
  for (const auto& s : r.sheets) t.sheets.push_back(r.name + ": " + s);
  for (const auto& s : r.hidden_sheets) t.hidden_sheets.push_back(r.name + ": " + s);
  t.text += r.name + "\n" + r.text + "\n";
  for (const auto& c : r.children) tally(c, false, t);
}

void set_counts(const std::string& prefix, const ContentCounts& c, Facts& out) {
  StringList sets;
  std::int64_t hits = 0;
  for (const auto& [name, n] : c.keywords) sets.push_back(name), hits += n;
  out.set(prefix + "my_number", c.my_number);
  out.set(prefix + "my_number_candidates", c.my_number_candidates);
  out.set(prefix + "corporate_number", c.corporate_number);
  out.set(prefix + "card_number", c.card_number);
  out.set(prefix + "phone", c.phone);
  out.set(prefix + "postal_code", c.postal_code);
  out.set(prefix + "email_address", c.email_address);
  out.set(prefix + "keywords", std::move(sets));
  out.set(prefix + "keyword_hits", hits);
}

// content.* count the sender's own words (subject, body, attachment names and texts); content.quoted.*
// the quoted text, signatures and disclaimers of the body (see scan_body).
void content(const mail::Message& msg, const Organisation& org, const std::string& attachment_text, Facts& out) {
  BodyCounts c;
  if (org.scanner) {
    c = scan_body(*org.scanner, msg, is_forward_subject(msg.subject));
    c.own += org.scanner->scan(msg.subject);
    c.own += org.scanner->scan(attachment_text);
  }
  set_counts("content.", c.own, out);
  set_counts("content.quoted.", c.quoted, out);
  if (c.own.scan_failed || c.quoted.scan_failed) out.degrade("content scan failed");
}

}  // namespace

// "パスワード: s3cret", "PW=abc", "パスワードは s3cret です"; not "パスワードは別途お送りします":
// the word, a separator (':' '=' or は), then a token that starts with a printable ASCII character.
bool has_password_line(const std::string& text) {
  std::string t = util::to_lower(normalise_text(text));
  for (std::string_view word : {"パスワード", "password", "passwd", "pw", "pass", "暗証番号", "解凍キー"}) {
    for (std::size_t pos = t.find(word); pos != std::string::npos; pos = t.find(word, pos + 1)) {
      bool word_start = pos == 0 || !std::isalnum(static_cast<unsigned char>(t[pos - 1]));
      std::size_t i = pos + word.size();
      auto blanks = [&] { while (i < t.size() && (t[i] == ' ' || t[i] == '\t')) ++i; };
      blanks();
      bool separated = false;
      if (i < t.size() && (t[i] == ':' || t[i] == '=')) ++i, separated = true;
      else if (t.compare(i, 3, "は") == 0) i += 3, separated = true;
      blanks();
      bool token = i < t.size() && t[i] > ' ' && t[i] < 0x7f;
      if (word_start && separated && token) return true;
    }
  }
  return false;
}

void attachment_facts(const mail::Envelope&, const mail::Message& msg, const Organisation& org, Facts& out,
                      util::Budget* budget) {
  Tally t;
  inspect::Limits limits;
  limits.message = budget;
  for (const auto& a : msg.attachments) {
    if (a.content_type == "message/rfc822") continue;
    inspect::FileReport r = inspect::inspect(a.filename, a.data, limits);
    if (a.data.empty() && a.size > 0) inspect::mark_incomplete(r, "bytes", "too large to inspect");
    tally(r, true, t);
  }
  for (const auto& gap : msg.incomplete) {  // what the parser itself left out (parts, depth, bytes, text)
    add_once(t.incomplete_reasons, gap.reason);
    if (!gap.name.empty()) add_once(t.incomplete_names, util::nfkc(gap.name));
  }
  bool password = std::any_of(msg.texts.begin(), msg.texts.end(), has_password_line) || has_password_line(msg.subject);
  out.set("attachments.encrypted", t.encrypted);
  out.set("attachments.unencrypted", t.unencrypted);
  out.set("attachments.encrypted_archive", t.encrypted_archive);
  out.set("attachments.macros", t.macros);
  out.set("attachments.executables", t.executables);
  out.set("attachments.kinds", std::move(t.kinds));
  out.set("attachments.names", std::move(t.names));
  out.set("attachments.sheets", std::move(t.sheets));
  out.set("attachments.hidden_sheets_count", count(t.hidden_sheets.size()));
  out.set("attachments.hidden_sheets", std::move(t.hidden_sheets));
  out.set("attachments.bomb", t.bomb);
  out.set("attachments.incomplete", !t.incomplete_reasons.empty());
  out.set("attachments.incomplete_names", std::move(t.incomplete_names));
  out.set("attachments.incomplete_reasons", std::move(t.incomplete_reasons));
  out.set("attachments.unknown_kind", t.unknown_kind);
  out.set("attachments.unknown_kind_names", std::move(t.unknown_kind_names));
  out.set("message.password_line", password);
  out.set("attachments.ppap", t.encrypted_archive && password);
  content(msg, org, t.text, out);
}

}  // namespace preflight::detect
