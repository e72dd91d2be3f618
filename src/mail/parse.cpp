// GMime 3 parsing into the message model; see parse.hpp. The only GMime user besides mail/ helpers.
#include "preflight/mail/parse.hpp"

#include <gmime/gmime.h>
#include <unistd.h>

#include <mutex>
#include <unordered_map>

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
  static const char* names[] = {"From", "To", "Cc", "Bcc", "Reply-To"};
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

std::string raw_header(GMimeObject* obj, const char* name) {
  GMimeHeader* h = g_mime_header_list_get_header(g_mime_object_get_header_list(obj), name);
  const char* raw = h ? g_mime_header_get_raw_value(h) : nullptr;
  return raw ? raw : "";
}

std::string mime_type(GMimeObject* obj) {
  GMimeContentType* ct = g_mime_object_get_content_type(obj);
  if (!ct) return "application/octet-stream";
  char* t = g_mime_content_type_get_mime_type(ct);
  std::string out = util::to_lower(t ? t : "");
  g_free(t);
  return out;
}

std::string part_filename(GMimeObject* obj) {
  if (auto v = header_param(raw_header(obj, "Content-Disposition"), "filename")) return *v;
  if (auto v = header_param(raw_header(obj, "Content-Type"), "name")) return *v;
  return {};
}

std::size_t decoded_size(GMimePart* part) {
  GMimeDataWrapper* dw = g_mime_part_get_content(part);
  if (!dw) return 0;
  GPtr<GMimeStream> null(g_mime_stream_null_new());
  g_mime_data_wrapper_write_to_stream(dw, null.get());
  return GMIME_STREAM_NULL(null.get())->written;
}

// The decoded content of a part, at most `limit` bytes (a part over the limit is cut there).
std::string decoded_bytes(GMimePart* part, std::size_t limit) {
  GMimeDataWrapper* dw = g_mime_part_get_content(part);
  if (!dw) return {};
  GPtr<GMimeStream> mem(g_mime_stream_mem_new());
  g_mime_data_wrapper_write_to_stream(dw, mem.get());
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem.get()));
  std::size_t n = bytes->len < limit ? bytes->len : limit;
  return std::string(reinterpret_cast<const char*>(bytes->data), n);
}

std::string decoded_text(GMimePart* part, std::size_t limit) {
  const char* charset = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
  return util::to_utf8(decoded_bytes(part, limit), charset ? charset : "");
}

struct WalkState {
  Message* message;
  const ParseLimits* limits;
  std::size_t parts = 0;
  int alternatives = 0;  // multipart/alternative containers seen so far
};

// Where a part sits: the outermost multipart/alternative above it and which of its children leads to it.
struct Placement {
  int alternative = -1;
  int branch = 0;
};

void visit_leaf(GMimeObject* obj, Placement at, WalkState& st) {
  if (GMIME_IS_MESSAGE_PART(obj)) {
    st.message->attachments.push_back({part_filename(obj), "message/rfc822", 0, {}});
    return;
  }
  if (!GMIME_IS_PART(obj)) return;
  GMimePart* part = GMIME_PART(obj);
  std::string type = mime_type(obj);
  std::string filename = part_filename(obj);
  bool is_text = util::istarts_with(type, "text/") && filename.empty() &&
                 !g_mime_part_is_attachment(part);
  if (is_text) {
    st.message->texts.push_back(decoded_text(part, st.limits->max_text_bytes));
    st.message->text_info.push_back({std::move(type), at.alternative, at.branch});
  } else {
    std::size_t size = decoded_size(part);
    std::string data = size <= st.limits->max_attachment_bytes ? decoded_bytes(part, size) : std::string();
    st.message->attachments.push_back({filename, type, size, std::move(data)});
  }
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
  if (st.parts > limits.max_parts) {
    m.problems.push_back("more than " + std::to_string(limits.max_parts) + " MIME parts; rest skipped");
    m.incomplete.push_back("parts");
  }
  return m;
}

}  // namespace

void init() {
  static std::once_flag once;
  std::call_once(once, [] {
    g_mime_init();
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
