// See gmime_parts.hpp.
#include "gmime_parts.hpp"

#include <algorithm>

#include "gobject_ptr.hpp"
#include "preflight/mail/header_decode.hpp"
#include "preflight/util/strings.hpp"

namespace preflight::mail {

std::string raw_header(GMimeObject* obj, const char* name) {
  GMimeHeader* h = g_mime_header_list_get_header(g_mime_object_get_header_list(obj), name);
  const char* raw = h ? g_mime_header_get_raw_value(h) : nullptr;
  return raw ? raw : "";
}

std::string mime_type(GMimeObject* obj) {
  GMimeContentType* ct = g_mime_object_get_content_type(obj);
  char* t = ct ? g_mime_content_type_get_mime_type(ct) : nullptr;
  std::string out = util::to_lower(t ? t : "application/octet-stream");
  g_free(t);
  return out;
}

std::string part_filename(GMimeObject* obj) {
  if (auto v = header_param(raw_header(obj, "Content-Disposition"), "filename")) return *v;
  if (auto v = header_param(raw_header(obj, "Content-Type"), "name")) return *v;
  return {};
}

namespace {

bool transfer_encoded(GMimeContentEncoding e) {
  return e == GMIME_CONTENT_ENCODING_BASE64 || e == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
         e == GMIME_CONTENT_ENCODING_UUENCODE;
}

// Decoding never makes content longer; base64 makes it at most three quarters of what it was.
std::size_t decoded_bound(GMimeContentEncoding e, gint64 encoded) {
  const auto n = static_cast<std::size_t>(encoded);
  return e == GMIME_CONTENT_ENCODING_BASE64 ? n / 4 * 3 + 3 : n;
}

}  // namespace

std::size_t decode_content(GMimePart* part, std::size_t limit, std::string* out) {
  GMimeDataWrapper* dw = g_mime_part_get_content(part);
  GMimeStream* source = dw ? g_mime_data_wrapper_get_stream(dw) : nullptr;
  if (!source || g_mime_stream_reset(source) == -1) return 0;
  const GMimeContentEncoding encoding = g_mime_data_wrapper_get_encoding(dw);
  GPtr<GMimeStream> decoded(g_mime_stream_filter_new(source));
  if (transfer_encoded(encoding)) {
    GPtr<GMimeFilter> filter(g_mime_filter_basic_new(encoding, FALSE));
    g_mime_stream_filter_add(GMIME_STREAM_FILTER(decoded.get()), filter.get());
  }
  if (gint64 encoded = g_mime_stream_length(source); out && encoded > 0)
    out->reserve(out->size() + std::min(limit, decoded_bound(encoding, encoded)));
  std::size_t total = 0;
  char buf[16384];
  for (gint64 stalled_at = -1;;) {
    const ssize_t n = g_mime_stream_read(decoded.get(), buf, sizeof buf);
    if (n < 0 || (n == 0 && g_mime_stream_eos(decoded.get()))) break;
    if (n == 0) {  // the decoder swallowed a piece (line breaks, padding); stop only if the source stands still
      const gint64 at = g_mime_stream_tell(source);
      if (at == stalled_at) break;
      stalled_at = at;
      continue;
    }
    const auto got = static_cast<std::size_t>(n);
    if (out && total < limit) out->append(buf, std::min(got, limit - total));
    total += got;
  }
  g_mime_stream_reset(source);
  return total;
}

std::size_t decoded_size_bound(GMimePart* part) {
  GMimeDataWrapper* dw = g_mime_part_get_content(part);
  GMimeStream* source = dw ? g_mime_data_wrapper_get_stream(dw) : nullptr;
  const gint64 encoded = source ? g_mime_stream_length(source) : -1;
  return encoded < 0 ? std::string::npos : decoded_bound(g_mime_data_wrapper_get_encoding(dw), encoded);
}

}  // namespace preflight::mail
