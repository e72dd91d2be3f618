// Verdict -> header edits and disposition; see plan.hpp.
#include "preflight/action/plan.hpp"

#include <algorithm>
#include <glib.h>
#include <unordered_map>

#include "preflight/mail/header_decode.hpp"
#include "preflight/util/strings.hpp"

namespace preflight::action {

namespace {

using Kind = HeaderEdit::Kind;

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// The length of the longest UTF-8 prefix of `text` of at most `limit` bytes that ends between characters.
std::size_t utf8_cut(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return text.size();
  std::size_t cut = limit;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return cut == 0 ? limit : cut;
}

// Text as RFC 2047 encoded-words (UTF-8, B), each at most 75 characters and split between characters;
// ASCII text is kept as it is.
std::string encode_words(std::string_view text) {
  if (is_ascii(text)) return std::string(text);
  std::string out;
  while (!text.empty()) {
    std::size_t n = utf8_cut(text, 45);  // 45 bytes -> 60 base64 characters + 12 of framing
    gchar* b64 = g_base64_encode(reinterpret_cast<const guchar*>(text.data()), n);
    out += (out.empty() ? "" : " ") + std::string("=?UTF-8?B?") + b64 + "?=";
    g_free(b64);
    text.remove_prefix(n);
  }
  return out;
}

// The prefixed Subject. An ASCII value (encoded-words included) is kept as written after the prefix; a value
// with raw 8-bit bytes (unencoded UTF-8, Shift_JIS, ...) is decoded and the whole Subject re-encoded, so
// the header that leaves is plain ASCII whatever the sender's mailer wrote.
std::string prefixed_subject(const std::string& prefix, const std::string& raw_value) {
  if (is_ascii(raw_value)) return encode_words(prefix) + " " + raw_value;
  return encode_words(prefix + " " + mail::decode_header_text(raw_value));
}

// Forged copies of our own headers: a sender must not be able to pre-set a verdict.
void strip_own_headers(const mail::Message& m, std::vector<HeaderEdit>& deletes) {
  // 1-based index per header name, case-insensitive, as libmilter counts for smfi_chgheader. A counter
  // per (ASCII lower-cased) name keeps this linear on mail with tens of thousands of headers.
  std::unordered_map<std::string, int> seen;
  for (const auto& h : m.headers) {
    int index = ++seen[util::to_lower(h.name)];
    if (util::istarts_with(h.name, "X-Preflight")) deletes.push_back({Kind::Delete, h.name, index, {}});
  }
}

void add_tags(const policy::Verdict& v, const mail::Message& m, Plan& p) {
  for (const auto& t : v.tags) p.edits.push_back({Kind::Add, kTagHeader, 0, encode_words(util::printable(t))});
  if (v.subject_prefix.empty()) return;
  for (const auto& h : m.headers)
    if (util::iequals(h.name, "Subject")) {
      p.edits.push_back({Kind::Change, "Subject", 1, prefixed_subject(v.subject_prefix, h.value)});
      return;
    }
  p.edits.push_back({Kind::Add, "Subject", 0, encode_words(v.subject_prefix)});
}

void rewrite_to_bcc(const policy::Verdict& v, const mail::Message& m, const detect::Organisation& org,
                    Plan& p, std::vector<HeaderEdit>& deletes) {
  bool to_left = false;
  for (const auto& h : m.address_headers) {
    if (!mail::shows_recipients(h.name)) continue;
    std::vector<mail::Address> kept;
    if (v.bcc_scope == policy::BccScope::External)
      for (const auto& a : h.addresses)
        if (org.is_internal(a.domain)) kept.push_back(a);
    if (kept.empty()) {
      deletes.push_back({Kind::Delete, h.name, h.index, {}});
    } else {
      if (kept.size() != h.addresses.size())
        p.edits.push_back({Kind::Change, h.name, h.index, mail::format_address_list(kept)});
      to_left = to_left || h.name == "To";
    }
  }
  if (!to_left) p.edits.push_back({Kind::Add, "To", 0, "undisclosed-recipients:;"});
}

}  // namespace

std::string verdict_value(const policy::Verdict& v) {
  std::string out = policy::action_name(v.action);
  auto ids = v.rule_ids(policy::Mode::Enforce);
  if (!ids.empty()) out += "; rules=" + util::join(ids, ",");
  return out;
}

Plan plan(const policy::Verdict& v, const mail::Message& m, const detect::Organisation& org) {
  Plan p;
  if (v.action == policy::Action::Reject) {
    p.disposition = Disposition::Reject;
    p.reply_text = v.reject_text;
    return p;
  }
  if (v.action == policy::Action::Hold || v.action == policy::Action::Approve) p.disposition = Disposition::Hold;
  p.detach = v.detach;
  std::vector<HeaderEdit> deletes;
  strip_own_headers(m, deletes);
  add_tags(v, m, p);
  if (v.bcc) rewrite_to_bcc(v, m, org, p, deletes);
  p.edits.push_back({Kind::Add, kVerdictHeader, 0, verdict_value(v)});
  std::stable_sort(deletes.begin(), deletes.end(), [](const HeaderEdit& a, const HeaderEdit& b) {
    return a.index > b.index;
  });
  // Changes, then deletions, then additions: Sendmail inserts an added field before the first existing
  // field of that name, so an addition issued before a deletion would shift the index the deletion names
  // (it would delete the added To or verdict header and keep the original).
  auto adds = std::stable_partition(p.edits.begin(), p.edits.end(), [](const HeaderEdit& e) {
    return e.kind != Kind::Add;
  });
  p.edits.insert(adds, deletes.begin(), deletes.end());
  return p;
}

}  // namespace preflight::action
