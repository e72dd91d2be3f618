// A minimal PDF object lexer shared by the PDF readers: tokens, dictionary lookups on raw text, and string
// decoding. It works on slices of the file and never builds an object graph, so malformed files only make
// lookups fail.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "internal.hpp"

namespace preflight::inspect::detail {

enum class PdfTok { end, name, number, string, hexstring, dict_open, dict_close, array_open, array_close, keyword };

struct PdfToken {
  PdfTok type = PdfTok::end;
  std::string_view raw;  // including delimiters: "/Name", "(text)", "<hex>", "<<"
};

// The next token at or after `pos` (whitespace and comments skipped); advances `pos` past it.
PdfToken pdf_next(std::string_view s, std::size_t& pos);

// Raw text of the value of `key` ("/Encrypt") in the dictionary starting at `dict` ("<< ... >>"), or
// nullopt. An indirect reference comes back as "12 0 R".
std::optional<std::string_view> pdf_dict_value(std::string_view dict, std::string_view key);

// Dictionaries are never scanned further than this: an unclosed "<<" must not make each lookup run to the
// end of the file (a file of repeated "trailer<<" was quadratic). Real trailer, cross-reference, stream and
// Encrypt dictionaries are far smaller.
constexpr std::size_t kMaxPdfDict = 64 * 1024;

// The balanced dictionary "<< ... >>" starting at the first "<<" at or after `pos` (looked for only within
// kMaxPdfDict bytes); empty if none. One that does not close within kMaxPdfDict bytes (or before the end)
// comes back cut there.
std::string_view pdf_dict_at(std::string_view s, std::size_t pos);

// Bytes of a literal "(...)" or hex "<...>" string token.
std::string pdf_string(std::string_view raw);

// Integer value of a number token or raw value; nullopt if it is not an integer.
std::optional<long long> pdf_int(std::string_view raw);

// Resolves "N G R" to the dictionary of object N ("N G obj << ... >>"), searching from the end of the file
// (the newest revision wins); a direct value comes back unchanged.
std::string_view pdf_resolve(std::string_view file, std::string_view value);

// Standard security handler: true if the empty user password opens the document (encrypt = the Encrypt
// dictionary, first_id = the first element of the trailer's /ID).
bool pdf_empty_user_password(std::string_view encrypt, std::string_view first_id);

// Text shown by content-stream operators (Tj, TJ, ', "), for strings that decode as text.
void pdf_content_text(std::string_view content, std::string& out, std::size_t max);

}  // namespace preflight::inspect::detail
