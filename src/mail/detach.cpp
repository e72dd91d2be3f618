// Detaching attachments with GMime; see detach.hpp.
#include "preflight/mail/detach.hpp"

#include <gmime/gmime.h>

#include "gmime_parts.hpp"
#include "gobject_ptr.hpp"
#include "preflight/mail/header_decode.hpp"
#include "preflight/mail/parse.hpp"
#include "preflight/util/random.hpp"
#include "preflight/util/strings.hpp"

namespace preflight::mail {

namespace {

struct FormatOptions {
  GMimeFormatOptions* opts = g_mime_format_options_new();
  FormatOptions() { g_mime_format_options_set_newline_format(opts, GMIME_NEWLINE_FORMAT_DOS); }
  ~FormatOptions() { g_mime_format_options_free(opts); }
};

std::string to_text(GMimeObject* obj, bool headers = true) {
  FormatOptions f;
  GPtr<GMimeStream> mem(g_mime_stream_mem_new());
  if (headers) g_mime_object_write_to_stream(obj, f.opts, mem.get());
  else g_mime_object_write_content_to_stream(obj, f.opts, mem.get());
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem.get()));
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

std::string header_value(GMimeObject* obj, const char* name) {
  return std::string(util::trim(raw_header(obj, name)));
}

// An attachment of the mail's own: an attached message, or a leaf that is not body text and not an image
// the HTML of a multipart/related shows inline.
bool detachable(GMimeObject* obj, bool in_related) {
  if (GMIME_IS_MESSAGE_PART(obj)) return true;
  if (!GMIME_IS_PART(obj)) return false;
  GMimePart* part = GMIME_PART(obj);
  if (g_mime_part_is_attachment(part)) return true;
  const std::string name = part_filename(obj);
  if (util::istarts_with(mime_type(obj), "text/") && name.empty()) return false;
  if (in_related && g_mime_object_get_content_id(obj)) return false;
  return true;
}

DetachedFile file_of(GMimeObject* obj, std::size_t n) {
  DetachedFile f{part_filename(obj), mime_type(obj), {}};
  if (GMIME_IS_MESSAGE_PART(obj)) {
    GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
    f.data = inner ? to_text(GMIME_OBJECT(inner)) : std::string();
    f.content_type = "message/rfc822";
    if (f.filename.empty()) f.filename = "message-" + std::to_string(n) + ".eml";
    return f;
  }
  decode_content(GMIME_PART(obj), std::string::npos, &f.data);
  if (f.filename.empty()) f.filename = "attachment-" + std::to_string(n);
  return f;
}

// Takes the detachable parts out of `mp` (and out of the multiparts below it), in document order.
// Returns true when `mp` is left without parts, so that its parent removes it too.
bool strip(GMimeMultipart* mp, std::vector<DetachedFile>& out) {
  const bool related = mime_type(GMIME_OBJECT(mp)) == "multipart/related";
  for (int i = 0; i < g_mime_multipart_get_count(mp);) {
    GMimeObject* child = g_mime_multipart_get_part(mp, i);
    bool remove = false;
    if (GMIME_IS_MULTIPART(child)) remove = strip(GMIME_MULTIPART(child), out);
    else if (detachable(child, related)) out.push_back(file_of(child, out.size() + 1)), remove = true;
    if (!remove) ++i;
    else if (GMimeObject* gone = g_mime_multipart_remove_at(mp, i)) g_object_unref(gone);
  }
  return g_mime_multipart_get_count(mp) == 0;
}

GPtr<GMimeTextPart> text_part(const char* subtype, std::string_view text) {
  GPtr<GMimeTextPart> p(g_mime_text_part_new_with_subtype(subtype));
  g_mime_text_part_set_text(p.get(), std::string(text).c_str());
  g_mime_text_part_set_charset(p.get(), "utf-8");
  g_mime_part_set_content_encoding(GMIME_PART(p.get()), GMIME_CONTENT_ENCODING_BASE64);
  return p;
}

void append_part(std::string& body, const std::string& boundary, std::string_view entity) {
  body += "--" + boundary + "\r\n";
  body += entity;
  if (!entity.ends_with("\r\n")) body += "\r\n";
}

}  // namespace

util::Result<DetachedMail> detach_attachments(std::string_view raw) {
  init();
  GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  GPtr<GMimeMessage> msg(g_mime_parser_construct_message(parser.get(), nullptr));
  if (!msg) return util::Error{"not a MIME message: no header block could be parsed"};
  DetachedMail out;
  // GMime keeps the top-level Content-* headers with the message's MIME part, the others with the message.
  out.mime_version = !header_value(GMIME_OBJECT(msg.get()), "MIME-Version").empty();
  GMimeObject* top = g_mime_message_get_mime_part(msg.get());
  if (!top) return out;
  out.top_content_type = !header_value(top, "Content-Type").empty();
  out.top_encoding = header_value(top, "Content-Transfer-Encoding");
  out.top_disposition = header_value(top, "Content-Disposition");
  if (!GMIME_IS_MULTIPART(top)) {
    if (!detachable(top, false)) return out;
    out.files.push_back(file_of(top, 1));
    return out;
  }
  GMimeMultipart* mp = GMIME_MULTIPART(top);
  strip(mp, out.files);
  if (out.files.empty()) return out;
  if (mime_type(top) == "multipart/mixed")
    for (int i = 0; i < g_mime_multipart_get_count(mp); ++i) out.kept.push_back(to_text(g_mime_multipart_get_part(mp, i)));
  else if (g_mime_multipart_get_count(mp) > 0)
    out.kept.push_back(to_text(top));
  return out;
}

RebuiltBody rebuild_with_notice(const DetachedMail& mail, std::string_view text, std::string_view html) {
  init();
  GPtr<GMimeMultipart> alternative(g_mime_multipart_new_with_subtype("alternative"));
  g_mime_multipart_add(alternative.get(), GMIME_OBJECT(text_part("plain", text).get()));
  g_mime_multipart_add(alternative.get(), GMIME_OBJECT(text_part("html", html).get()));
  const std::string boundary = "=_preflight_" + util::random_hex(12);
  std::string body = "This is a multi-part message in MIME format.\r\n";
  for (const auto& k : mail.kept) append_part(body, boundary, k);
  append_part(body, boundary, to_text(GMIME_OBJECT(alternative.get())));
  body += "--" + boundary + "--\r\n";
  return {"multipart/mixed; boundary=\"" + boundary + "\"", std::move(body)};
}

}  // namespace preflight::mail
