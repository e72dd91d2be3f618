// See gmime_parts.hpp.
#include "gmime_parts.hpp"

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

}  // namespace preflight::mail
