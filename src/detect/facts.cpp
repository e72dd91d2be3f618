// The fact catalogue and Facts container; see facts.hpp.
#include "preflight/detect/facts.hpp"

namespace preflight::detect {

const std::vector<FactInfo>& fact_catalogue() {
  using T = FactType;
  static const std::vector<FactInfo> catalogue = {
      {"recipients.total", T::Number, "envelope recipients (RCPT TO): who really receives the mail"},
      {"recipients.internal", T::Number, "envelope recipients at internal domains (subdomains included)"},
      {"recipients.external", T::Number, "envelope recipients outside the organisation"},
      {"recipients.external_domains", T::Number,
       "distinct external organisations (registrable domains) among envelope recipients"},
      {"recipients.external_addresses", T::List, "the external envelope recipients"},
      {"recipients.to", T::Number, "addresses in To headers (Resent-To included)"},
      {"recipients.cc", T::Number, "addresses in Cc headers (Resent-Cc included)"},
      {"recipients.bcc", T::Number, "addresses in Bcc headers (Postfix removes them before milters)"},
      {"recipients.visible_external", T::Number,
       "external addresses in To/Cc (and Resent-To/Resent-Cc): every recipient sees them (should have been Bcc)"},
      {"recipients.visible_external_domains", T::Number,
       "distinct external organisations among the addresses in To/Cc (and Resent-To/Resent-Cc)"},
      {"recipients.exposed_external", T::Number,
       "external To/Cc addresses another external envelope recipient sees, as written (before a Bcc rewrite)"},
      {"recipients.minority_external", T::Bool,
       "a few external recipients hidden among many internal ones (thresholds in organisation.minority)"},
      {"recipients.first_time", T::List,
       "external recipients this sender has never sent mail to nor received mail showing (history, learn mode)"},
      {"recipients.first_time_count", T::Number, "how many recipients.first_time there are"},
      {"recipients.first_time_org", T::List,
       "external addresses nobody in the organisation has written to (a colleague's correspondent is known)"},
      {"recipients.first_time_org_count", T::Number, "how many recipients.first_time_org there are"},
      {"recipients.first_time_domains", T::List,
       "external organisations nobody in the organisation has sent mail to nor received mail from (history, learn mode)"},
      {"recipients.first_time_domains_count", T::Number, "how many recipients.first_time_domains there are"},
      {"recipients.lookalike", T::List,
       "external domains resembling a known one: typo, swapped suffix, confusable characters, dots for hyphens, "
       "mixed scripts"},
      {"recipients.lookalike_count", T::Number, "how many recipients.lookalike there are"},
      {"recipients.lookalike_internal", T::List,
       "the recipients.lookalike entries that resemble one of the organisation's own (internal) domains"},
      {"recipients.lookalike_internal_count", T::Number, "how many recipients.lookalike_internal there are"},
      {"recipients.address_typo", T::List, "unknown addresses one or two edits from a known address at that domain"},
      {"recipients.same_name_elsewhere", T::List, "display names known at another company (same-name people)"},
      {"recipients.mailing_list", T::List, "recipients matching organisation.mailing_lists"},
      {"recipients.important", T::List, "recipients matching organisation.important"},
      {"message.reply", T::Bool, "a reply: Re:/RE:/返信: subject or In-Reply-To"},
      {"message.forward", T::Bool, "a forward: Fwd:/FW:/転送: subject or an attached message"},
      {"thread.known", T::Bool, "the reply refers to a message the gateway has seen (sent, or received in learn mode)"},
      {"thread.new_external", T::List, "external recipients nobody in the referenced thread had"},
      {"thread.new_external_count", T::Number, "how many thread.new_external there are"},
      {"thread.internal_to_external", T::Bool, "an internal-only thread now goes to an external address"},
      {"thread.bcc_reply_all", T::Bool, "the sender got the original as Bcc and now replies to several"},
      {"attachments.encrypted", T::Number, "attachments that are encrypted (ZIP, 7z, PDF, OOXML, legacy Office)"},
      {"attachments.unencrypted", T::Number, "attachments that are not encrypted"},
      {"attachments.encrypted_archive", T::Bool, "an encrypted archive (ZIP, 7z, RAR) is attached"},
      {"attachments.macros", T::Number, "files with macros (VBA, Excel 4.0), also inside archives, by content"},
      {"attachments.executables", T::Number, "executables, scripts and shortcuts (LNK), also inside archives"},
      {"attachments.kinds", T::List, "kinds of the files by content: zip, pdf, xlsx, docm, exe …"},
      {"attachments.names", T::List, "names of the attachments and of the files inside archives (CP932 decoded)"},
      {"attachments.sheets", T::List, "spreadsheet sheets, as \"file: sheet\""},
      {"attachments.hidden_sheets", T::List, "hidden and veryHidden sheets, as \"file: sheet\""},
      {"attachments.hidden_sheets_count", T::Number, "how many attachments.hidden_sheets there are"},
      {"attachments.bomb", T::Bool, "an archive exceeded the inspection limits (zip bomb)"},
      {"attachments.incomplete", T::Bool,
       "some attachment (or MIME part) was not inspected in full: a limit, a damaged file, an unknown method"},
      {"attachments.incomplete_names", T::List, "the files whose inspection stopped short (names as in attachments.names)"},
      {"attachments.incomplete_reasons", T::List,
       "why: depth, entries, bytes, ratio, time, text, corrupt, method, parts (each once)"},
      {"attachments.unknown_kind", T::Number,
       "files of a kind nobody recognises by content (not text, an image, media, a document, an archive, a disk "
       "image or an executable), also inside archives and disk images"},
      {"attachments.unknown_kind_names", T::List, "names of the attachments.unknown_kind files"},
      {"attachments.ppap", T::Bool, "an encrypted archive and its password in the same mail (PPAP, also Emotet)"},
      {"message.password_line", T::Bool, "a line that gives a password (パスワード: …, PW: …)"},
      {"content.my_number", T::Number,
       "個人番号 (My Number) with a valid check digit near a context word, or all of them when 3 or more; "
       "counted in quoted text too"},
      {"content.my_number_candidates", T::Number, "12-digit numbers with a valid 個人番号 check digit"},
      {"content.corporate_number", T::Number, "法人番号 with a valid check digit (public; a list matters)"},
      {"content.card_number", T::Number, "payment card numbers (issuer prefix, length, Luhn); counted in quoted text too"},
      {"content.phone", T::Number, "Japanese phone numbers in the sender's own words"},
      {"content.postal_code", T::Number, "postal codes (〒NNN-NNNN)"},
      {"content.email_address", T::Number, "e-mail addresses in the text (an address list)"},
      {"content.keywords", T::List, "keyword sets (organisation.keywords) found: confidential, …"},
      {"content.keyword_hits", T::Number, "keyword occurrences over all sets"},
      {"content.quoted.my_number", T::Number, "content.my_number in quoted text, signatures and disclaimers"},
      {"content.quoted.my_number_candidates", T::Number, "content.my_number_candidates in quoted text, signatures and disclaimers"},
      {"content.quoted.corporate_number", T::Number, "content.corporate_number in quoted text, signatures and disclaimers"},
      {"content.quoted.card_number", T::Number, "content.card_number in quoted text, signatures and disclaimers"},
      {"content.quoted.phone", T::Number, "content.phone in quoted text, signatures and disclaimers"},
      {"content.quoted.postal_code", T::Number, "content.postal_code in quoted text, signatures and disclaimers"},
      {"content.quoted.email_address", T::Number, "content.email_address in quoted text, signatures and disclaimers"},
      {"content.quoted.keywords", T::List, "content.keywords in quoted text, signatures and disclaimers"},
      {"content.quoted.keyword_hits", T::Number, "content.keyword_hits in quoted text, signatures and disclaimers"},
      {"content.companies_mentioned", T::List, "partner companies named in subject, greeting or attachment names"},
      {"content.company_mismatch", T::List, "companies named in the mail that none of the recipients belongs to"},
      {"sender.recent_visible_external", T::Number,
       "external addresses this sender's mail exposed as it left within the split window plus "
       "recipients.exposed_external; 0 when this mail exposes nobody"},
      {"sender.address", T::Text, "envelope sender (MAIL FROM), lower-case domain"},
      {"sender.internal", T::Bool, "the envelope sender is at an internal domain"},
      {"sender.groups", T::List, "organisation groups the envelope sender belongs to"},
      {"sender.authenticated", T::Bool, "the client authenticated with SMTP AUTH"},
      {"message.size", T::Number, "size of the raw message in bytes"},
      {"message.subject", T::Text, "decoded subject (UTF-8, NFKC-normalised)"},
      {"message.attachments", T::Number,
       "number of attachments, attached messages and what they hold included (\"Fw.eml/a.zip\")"},
      {"message.attachment_names", T::List, "decoded attachment file names (inside an attached message: \"Fw.eml/a.zip\")"},
      {"message.forwarded_messages", T::Number,
       "attached messages (message/rfc822, \"forward as attachment\"), also inside each other; their headers, "
       "texts and attachments are inspected as this mail's"},
      {"message.header_cut", T::Bool,
       "an address header was so long that the MTA may have cut it (count from the envelope)"},
      {"message.budget_exhausted", T::Bool,
       "the message's time or byte budget ran out before every fact was computed (milter.deadline, "
       "milter.budget_bytes); seen by rules only with milter.on_budget_exhausted: evaluate"},
      {"context.degraded", T::Bool,
       "a history, thread, exposure or approval look-up failed (store error) or the content scan failed: "
       "facts that depend on them may read 'nothing known'; seen by rules only with "
       "milter.on_context_degraded: evaluate"},
  };
  return catalogue;
}

const FactInfo* find_fact(const std::string& name) {
  for (const auto& f : fact_catalogue())
    if (f.name == name) return &f;
  return nullptr;
}

const char* type_name(FactType t) {
  switch (t) {
    case FactType::Bool: return "boolean";
    case FactType::Number: return "number";
    case FactType::Text: return "text";
    case FactType::List: return "list";
  }
  return "?";
}

const FactValue* Facts::get(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? nullptr : &it->second;
}

std::string describe(const FactValue& v) {
  if (auto b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (auto n = std::get_if<std::int64_t>(&v)) return std::to_string(*n);
  if (auto s = std::get_if<std::string>(&v)) return "\"" + *s + "\"";
  const auto& list = std::get<StringList>(v);
  std::string out = "[";
  for (std::size_t i = 0; i < list.size() && i < 10; ++i) out += (i ? ", " : "") + list[i];
  if (list.size() > 10) out += ", … (" + std::to_string(list.size()) + " in all)";
  return out + "]";
}

}  // namespace preflight::detect
