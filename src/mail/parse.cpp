// GMime 3 parsing into the message model; see parse.hpp. The only GMime user besides mail/ helpers.
// One depth-first walk over the MIME tree; an attached message is walked in the same walk (shared part
// count and alternative numbering), one level deeper and with its name as the prefix of what it holds.
#include "preflight/mail/parse.hpp"

#include <gmime/gmime.h>
#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <unordered_map>

#include "gmime_parts.hpp"
#include "gobject_ptr.hpp"
#include "preflight/mail/header_decode.hpp"
#include "preflight/util/charset.hpp"
#include "preflight/util/strings.hpp"

namespace preflight::mail {

namespace {

// Postfix cuts a header longer than about 60,000 bytes when milters are configured.
constexpr std::size_t kCutHeaderSize = 59000;

struct ParserOptions {
  GMimeParserOptions* opts;
  ParserOptions() : opts(g_mime_parser_options_new()) {
    // Raw 8-bit Japanese headers: the default fallbacks turn CP932 into mojibake.
    static const char* fallback[] = {"utf-8", "cp932", "euc-jp", "iso-8859-1", nullptr};
    g_mime_parser_options_set_fallback_charsets(opts, fallback);
    g_mime_parser_options_set_address_compliance_mode(opts, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_parameter_compliance_mode(opts, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_rfc2047_compliance_mode(opts, GMIME_RFC_COMPLIANCE_LOOSE);
  }
};

const ParserOptions& options() {
  static ParserOptions o;
  return o;
}

std::string unfold(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (char c : raw)
    if (c != '\r' && c != '\n') out += c;
  return std::string(util::trim(out));
}

std::string canonical_address_header(std::string_view name) {
  static const char* names[] = {"From", "To", "Cc", "Bcc", "Reply-To", "Resent-To", "Resent-Cc"};
  for (const char* n : names)
    if (util::iequals(name, n)) return n;
  return {};
}

void collect_addresses(InternetAddressList* list, std::vector<Address>& out) {
  int n = internet_address_list_length(list);
  for (int i = 0; i < n; ++i) {
    InternetAddress* ia = internet_address_list_get_address(list, i);
    if (INTERNET_ADDRESS_IS_GROUP(ia)) {
      collect_addresses(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)), out);
      continue;
    }
    if (!INTERNET_ADDRESS_IS_MAILBOX(ia)) continue;
    const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
    Address a = parse_addr_spec(addr ? addr : "");
    const char* name = internet_address_get_name(ia);
    if (name) a.display_name = name;
    if (!a.local.empty() || !a.domain.empty()) out.push_back(std::move(a));
  }
}

AddressHeader parse_address_header(const std::string& name, int index, std::string_view raw) {
  AddressHeader h{name, index, raw.size(), {}};
  std::string text = decode_phrase_words(unfold(raw));
  InternetAddressList* list = internet_address_list_parse(options().opts, text.c_str());
  if (list) {
    collect_addresses(list, h.addresses);
    g_object_unref(list);
  }
  return h;
}

void read_headers(GMimeObject* top, Message& m) {
  GMimeHeaderList* hl = g_mime_object_get_header_list(top);
  int n = g_mime_header_list_get_count(hl);
  // 1-based index per canonical header name, as libmilter counts for smfi_chgheader. A counter per name
  // keeps this linear: hostile mail can carry tens of thousands of To: lines.
  std::unordered_map<std::string, int> seen;
  for (int i = 0; i < n; ++i) {
    GMimeHeader* h = g_mime_header_list_get_header_at(hl, i);
    const char* raw = g_mime_header_get_raw_value(h);
    std::string name = g_mime_header_get_name(h);
    std::string value = unfold(raw ? raw : "");
    std::string canon = canonical_address_header(name);
    if (!canon.empty()) {
      int index = ++seen[canon];
      m.address_headers.push_back(parse_address_header(canon, index, raw ? raw : ""));
      if (value.size() >= kCutHeaderSize) m.header_cut = true;
    } else if (util::iequals(name, "Subject")) {
      m.subject = decode_header_text(value);
    } else if (util::iequals(name, "Message-ID")) {
      m.message_id = value;
    } else if (util::iequals(name, "In-Reply-To")) {
      m.in_reply_to = value;
    } else if (util::iequals(name, "References")) {
      m.references = value;
    }
    m.headers.push_back({std::move(name), std::move(value)});
  }
}

std::size_t decoded_size(GMimePart* part) { return decode_content(part, 0, nullptr); }

// The decoded content of a part, at most `limit` bytes (a part over the limit is cut there; `cut` says so).
std::string decoded_bytes(GMimePart* part, std::size_t limit, bool* cut = nullptr) {
  std::string out;
  const std::size_t total = decode_content(part, limit, &out);
  if (cut) *cut = total > limit;
  return out;
}

std::string decoded_text(GMimePart* part, std::size_t limit, bool* cut) {
  const char* charset = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
  return util::to_utf8(decoded_bytes(part, limit, cut), charset ? charset : "");
}

// A message (or a bare header block) held in bytes, parsed on its own (the parser copies the bytes).
GPtr<GMimeMessage> message_from_bytes(const std::string& bytes) {
  GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(bytes.data(), bytes.size()));
  GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  return GPtr<GMimeMessage>(g_mime_parser_construct_message(parser.get(), options().opts));
}

bool shown_header(std::string_view name) {
  static const char* names[] = {"From",        "Sender",      "Date",      "To",       "Cc",       "Reply-To",
                                "Subject",     "Resent-From", "Resent-Date", "Resent-To", "Resent-Cc"};
  for (const char* n : names)
    if (util::iequals(name, n)) return true;
  return false;
}

// The header lines a reader of a message is shown (From, Date, To, Cc, Subject, ...), decoded to UTF-8.
std::string shown_header_text(GMimeObject* obj) {
  GMimeHeaderList* hl = g_mime_object_get_header_list(obj);
  std::string out;
  const int n = g_mime_header_list_get_count(hl);
  for (int i = 0; i < n; ++i) {
    GMimeHeader* h = g_mime_header_list_get_header_at(hl, i);
    const std::string name = g_mime_header_get_name(h);
    if (!shown_header(name)) continue;
    const char* raw = g_mime_header_get_raw_value(h);
    const std::string value = unfold(raw ? raw : "");
    out += name + ": " + (util::iequals(name, "Subject") ? decode_header_text(value) : decode_phrase_words(value));
    out += '\n';
  }
  return out;
}

// An attached message's name: its file name, else its Subject + ".eml" ('/' would read as a folder).
std::string message_name(GMimeObject* part, GMimeMessage* inner) {
  if (std::string name = part_filename(part); !name.empty()) return name;
  std::string subject = inner ? decode_header_text(unfold(raw_header(GMIME_OBJECT(inner), "Subject"))) : "";
  std::replace(subject.begin(), subject.end(), '/', '_');
  return (subject.empty() ? std::string("forwarded") : subject) + ".eml";
}

std::size_t message_size(GMimeMessage* inner) {
  GPtr<GMimeStream> null(g_mime_stream_null_new());
  g_mime_object_write_to_stream(GMIME_OBJECT(inner), nullptr, null.get());
  return GMIME_STREAM_NULL(null.get())->written;
}

struct WalkState {
  Message* message;
  const ParseLimits* limits;
  std::size_t parts = 0;
  int alternatives = 0;  // multipart/alternative containers seen so far
  int depth = 0;         // attached messages above the part being visited
  std::string prefix;    // their names, as the prefix of what they hold: "Fw.eml/"

  // The attached message being visited ("Fw.eml"), empty in the mail's own parts.
  std::string container() const { return prefix.empty() ? prefix : prefix.substr(0, prefix.size() - 1); }
  void incomplete(std::string name, const char* reason, const std::string& problem) {
    message->problems.push_back((name.empty() ? std::string() : name + ": ") + problem);
    message->incomplete.push_back({std::move(name), reason});
  }
};

// Where a part sits: the outermost multipart/alternative above it and which of its children leads to it.
struct Placement {
  int alternative = -1;
  int branch = 0;
};

void visit(GMimeObject* obj, Placement at, WalkState& st);

void add_text(std::string text, std::string type, Placement at, WalkState& st) {
  st.message->texts.push_back(std::move(text));
  st.message->text_info.push_back({std::move(type), at.alternative, at.branch, st.depth});
}

// An attached message: listed as an attachment, then its shown headers, its texts and its attachments as
// the mail's, one level deeper. Its alternatives get their own group numbers (the walk's counter).
void visit_message(GMimeObject* part, GMimeMessage* inner, WalkState& st) {
  Message& m = *st.message;
  const std::string name = st.prefix + message_name(part, inner);
  m.attachments.push_back({name, "message/rfc822", inner ? message_size(inner) : 0, {}, st.depth});
  ++m.forwarded_messages;
  if (!inner) return;
  if (st.depth >= st.limits->max_message_depth)
    return st.incomplete(name, "depth", "attached message nested deeper than " +
                                            std::to_string(st.limits->max_message_depth) + " levels; not read");
  const std::string outer_prefix = st.prefix;
  ++st.depth;
  st.prefix = name + "/";
  add_text(shown_header_text(GMIME_OBJECT(inner)), "text/rfc822-headers", {}, st);
  if (GMimeObject* body = g_mime_message_get_mime_part(inner)) visit(body, {}, st);
  --st.depth;
  st.prefix = outer_prefix;
}

// A message/rfc822 part GMime kept as a leaf (transfer-encoded, e.g. base64): decoded and parsed on its own.
void visit_encoded_message(GMimePart* part, WalkState& st) {
  if (decoded_size(part) > st.limits->max_attachment_bytes) {
    st.incomplete(st.prefix + message_name(GMIME_OBJECT(part), nullptr), "bytes", "attached message too large to read");
    return visit_message(GMIME_OBJECT(part), nullptr, st);
  }
  GPtr<GMimeMessage> inner = message_from_bytes(decoded_bytes(part, st.limits->max_attachment_bytes));
  visit_message(GMIME_OBJECT(part), inner.get(), st);
}

void visit_text(GMimePart* part, std::string type, Placement at, WalkState& st) {
  bool cut = false;
  std::string text = decoded_text(part, st.limits->max_text_bytes, &cut);
  if (cut) st.incomplete(st.container(), "text", "text part cut at " + std::to_string(st.limits->max_text_bytes) + " bytes");
  if (type == "text/rfc822-headers")  // the header block of another message (a bounce, a report): decoded
    if (GPtr<GMimeMessage> headers = message_from_bytes(text + "\r\n\r\n"))
      if (std::string shown = shown_header_text(GMIME_OBJECT(headers.get())); !shown.empty()) text = std::move(shown);
  add_text(std::move(text), std::move(type), at, st);
}

void visit_leaf(GMimeObject* obj, Placement at, WalkState& st) {
  if (GMIME_IS_MESSAGE_PART(obj))
    return visit_message(obj, g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj)), st);
  if (!GMIME_IS_PART(obj)) return;
  GMimePart* part = GMIME_PART(obj);
  std::string type = mime_type(obj);
  if (type == "message/rfc822") return visit_encoded_message(part, st);
  std::string filename = part_filename(obj);
  if (util::istarts_with(type, "text/") && filename.empty() && !g_mime_part_is_attachment(part))
    return visit_text(part, std::move(type), at, st);
  if (!filename.empty()) filename = st.prefix + filename;
  // Decoded once when the encoded length shows it fits; else measured first, so that nothing over the
  // limit is ever held.
  const std::size_t limit = st.limits->max_attachment_bytes;
  const bool fits = decoded_size_bound(part) <= limit;
  std::string bytes;
  const std::size_t size = decode_content(part, limit, fits ? &bytes : nullptr);
  const bool kept = size <= limit;
  if (kept && !fits) decode_content(part, limit, &bytes);
  if (!kept) st.incomplete(filename, "bytes", "attachment of " + std::to_string(size) + " bytes measured, not inspected");
  st.message->attachments.push_back({filename, type, size, std::move(bytes), st.depth});
}

// Depth-first in document order, as g_mime_message_foreach would, but knowing each part's alternative
// group: the text/plain and text/html renderings of one text must be counted once, not twice.
void visit(GMimeObject* obj, Placement at, WalkState& st) {
  if (++st.parts > st.limits->max_parts) return;
  if (!GMIME_IS_MULTIPART(obj)) return visit_leaf(obj, at, st);
  GMimeMultipart* mp = GMIME_MULTIPART(obj);
  const bool alternative = at.alternative < 0 && mime_type(obj) == "multipart/alternative";
  const int group = alternative ? st.alternatives++ : at.alternative;
  const int n = g_mime_multipart_get_count(mp);
  for (int i = 0; i < n; ++i)
    visit(g_mime_multipart_get_part(mp, i), alternative ? Placement{group, i} : at, st);
}

util::Result<Message> parse_stream(GMimeStream* stream, std::size_t size, const ParseLimits& limits) {
  init();
  GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream));
  g_mime_parser_set_persist_stream(parser.get(), TRUE);
  GPtr<GMimeMessage> msg(g_mime_parser_construct_message(parser.get(), options().opts));
  if (!msg) return util::Error{"not a MIME message: no header block could be parsed"};
  Message m;
  m.size = size;
  read_headers(GMIME_OBJECT(msg.get()), m);
  WalkState st{&m, &limits};
  if (GMimeObject* body = g_mime_message_get_mime_part(msg.get())) visit(body, {}, st);
  if (st.parts > limits.max_parts)
    st.incomplete({}, "parts", "more than " + std::to_string(limits.max_parts) + " MIME parts; rest skipped");
  return m;
}

}  // namespace

void init() {
  static std::once_flag once;
  std::call_once(once, [] {
    g_mime_init();
    util::keep_charset_modules_loaded();
    (void)options();
  });
}

util::Result<Message> parse_message(std::string_view raw, const ParseLimits& limits) {
  init();
  GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  return parse_stream(stream.get(), raw.size(), limits);
}

util::Result<Message> parse_message_fd(int fd, const ParseLimits& limits) {
  init();
  int copy = ::dup(fd);
  if (copy < 0) return util::Error{"cannot duplicate message file descriptor"};
  off_t size = ::lseek(copy, 0, SEEK_END);
  ::lseek(copy, 0, SEEK_SET);
  GPtr<GMimeStream> stream(g_mime_stream_fs_new(copy));  // owns `copy`
  return parse_stream(stream.get(), static_cast<std::size_t>(size < 0 ? 0 : size), limits);
}

std::vector<Address> parse_address_list(std::string_view value) {
  init();
  return parse_address_header("To", 1, value).addresses;
}

}  // namespace preflight::mail
