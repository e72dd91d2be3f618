// Verdict -> header edits and disposition; see plan.hpp.
#include "preflight/action/plan.hpp"

#include <algorithm>
#include <glib.h>
#include <unordered_map>

#include "preflight/util/strings.hpp"

namespace preflight::action {

namespace {

using Kind = HeaderEdit::Kind;

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::string encode_word(const std::string& text) {
  if (is_ascii(text)) return text;
  gchar* b64 = g_base64_encode(reinterpret_cast<const guchar*>(text.data()), text.size());
  std::string out = std::string("=?UTF-8?B?") + b64 + "?=";
  g_free(b64);
  return out;
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
  for (const auto& t : v.tags) p.edits.push_back({Kind::Add, kTagHeader, 0, encode_word(util::printable(t))});
  if (v.subject_prefix.empty()) return;
  std::string prefix = encode_word(v.subject_prefix);
  for (const auto& h : m.headers)
    if (util::iequals(h.name, "Subject")) {
      p.edits.push_back({Kind::Change, "Subject", 1, prefix + " " + h.value});
      return;
    }
  p.edits.push_back({Kind::Add, "Subject", 0, prefix});
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
  std::vector<HeaderEdit> deletes;
  strip_own_headers(m, deletes);
  add_tags(v, m, p);
  if (v.bcc) rewrite_to_bcc(v, m, org, p, deletes);
  p.edits.push_back({Kind::Add, kVerdictHeader, 0, verdict_value(v)});
  std::stable_sort(deletes.begin(), deletes.end(), [](const HeaderEdit& a, const HeaderEdit& b) {
    return a.index > b.index;
  });
  p.edits.insert(p.edits.end(), deletes.begin(), deletes.end());
  return p;
}

}  // namespace preflight::action
