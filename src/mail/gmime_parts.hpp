// What the GMime readers of the mail module (parse, detach) ask of a MIME part: one definition each.
#pragma once
#include <gmime/gmime.h>

#include <string>

namespace preflight::mail {

// The raw (undecoded, unfolded as GMime keeps it) value of the first header `name`, or "".
std::string raw_header(GMimeObject* obj, const char* name);
// The part's lower-case MIME type ("text/plain"); application/octet-stream when it has none.
std::string mime_type(GMimeObject* obj);
// The decoded file name: Content-Disposition's filename, else Content-Type's name (RFC 2231 / 2047), or "".
std::string part_filename(GMimeObject* obj);

}  // namespace preflight::mail
