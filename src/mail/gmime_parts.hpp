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

// The part's content with its transfer encoding (base64, quoted-printable, uuencode) undone, read in
// pieces: at most `limit` bytes are appended to `out` (null: nothing is kept), and the decoded size of
// the whole part is returned, so a part over the limit is measured without being held. `out` is sized
// once from the encoded length, never grown by doubling: a 25 MiB attachment costs 25 MiB, not 57.
std::size_t decode_content(GMimePart* part, std::size_t limit, std::string* out);
// An upper bound of that decoded size known without decoding (from the encoded length), or npos.
std::size_t decoded_size_bound(GMimePart* part);

}  // namespace preflight::mail
