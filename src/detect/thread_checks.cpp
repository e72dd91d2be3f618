// Reply, forward and thread-aware checks; see recipient_checks.hpp.
#include <algorithm>
#include <set>

#include "preflight/detect/recipient_checks.hpp"
#include "preflight/util/charset.hpp"
#include "preflight/util/strings.hpp"

namespace preflight::detect {

namespace {

std::int64_t count(std::size_t n) { return static_cast<std::int64_t>(n); }

// Strips leading blanks and brackets ("[会議] Re: …" is still a reply).
bool has_prefix(const std::string& subject, std::initializer_list<const char*> prefixes) {
  std::string s = util::nfkc(subject);  // full-width "ＲＥ：" becomes "RE:"
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    if (i < s.size() && s[i] == '[') {
      std::size_t close = s.find(']', i);
      if (close == std::string::npos) break;
      i = close + 1;
      continue;
    }
    break;
  }
  std::string_view rest(s.data() + i, s.size() - i);
  for (const char* p : prefixes)
    if (util::istarts_with(rest, p)) return true;
  return false;
}

std::vector<std::string> message_ids(const std::string& text) {
  std::vector<std::string> ids;
  std::size_t pos = 0;
  while ((pos = text.find('<', pos)) != std::string::npos) {
    std::size_t end = text.find('>', pos);
    if (end == std::string::npos) break;
    ids.push_back(text.substr(pos, end - pos + 1));
    pos = end + 1;
  }
  return ids;
}

bool is_forwarded_part(const mail::Message& msg) {
  return std::any_of(msg.attachments.begin(), msg.attachments.end(),
                     [](const mail::Attachment& a) { return a.content_type == "message/rfc822"; });
}

}  // namespace

bool is_reply_subject(const std::string& subject) {
  return has_prefix(subject, {"Re:", "Re ", "RE:", "Re[", "返信:", "返信：", "AW:", "Antw:", "回复:"});
}

bool is_forward_subject(const std::string& subject) {
  return has_prefix(subject, {"Fwd:", "Fw:", "FW:", "転送:", "転送：", "WG:", "TR:", "转发:"});
}

void thread_facts(const mail::Envelope& env, const mail::Message& msg, const Organisation& org, const Context& ctx,
                  Facts& out) {
  auto refs = message_ids(msg.in_reply_to + " " + msg.references);
  bool reply = is_reply_subject(msg.subject) || !msg.in_reply_to.empty();
  bool forward = is_forward_subject(msg.subject) || is_forwarded_part(msg);
  out.set("message.reply", reply && !forward);
  out.set("message.forward", forward);
  auto records = refs.empty() ? std::vector<ThreadRecord>{} : ctx.threads(refs);
  std::set<std::string> participants;
  bool bcc_copy = false;
  std::string sender = util::to_lower(env.sender.addr());
  for (const auto& r : records) {
    participants.insert(r.from);
    participants.insert(r.visible.begin(), r.visible.end());
    participants.insert(r.recipients.begin(), r.recipients.end());
    bool got_it = std::find(r.recipients.begin(), r.recipients.end(), sender) != r.recipients.end();
    bool visible = std::find(r.visible.begin(), r.visible.end(), sender) != r.visible.end();
    bcc_copy = bcc_copy || (got_it && !visible);
  }
  bool internal_only = !records.empty() && std::all_of(participants.begin(), participants.end(), [&](const std::string& a) {
    return org.is_internal(a.substr(a.rfind('@') + 1));
  });
  StringList added;
  for (const auto& r : env.recipients)
    if (!r.domain.empty() && !org.is_internal(r.domain) && !participants.count(util::to_lower(r.addr())))
      added.push_back(util::to_lower(r.addr()));
  std::size_t visible_now = msg.shown_addresses().size();
  out.set("thread.known", !records.empty());
  out.set("thread.new_external_count", count(records.empty() ? 0 : added.size()));
  out.set("thread.new_external", records.empty() ? StringList{} : added);
  out.set("thread.internal_to_external", internal_only && !added.empty());
  out.set("thread.bcc_reply_all", bcc_copy && reply && visible_now >= 2);
}

}  // namespace preflight::detect
