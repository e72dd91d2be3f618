// Helpers for the tests of document text and disk images (defined in inspect_fixtures_test.cpp): the
// checked-in fixtures of tests/fixtures (made by its make_fixtures.sh), zlib compression, and a PDF builder
// that writes numbered objects with a correct cross-reference table; and text checks on reports.
#pragma once
#include <string>
#include <vector>

#include "preflight/inspect/inspect.hpp"

namespace inspect_test {
// The bytes of tests/fixtures/<name>; a missing fixture fails the test.
std::string fixture(const std::string& name);
// The contents of a gzip file (fixtures too large to commit uncompressed).
std::string gunzip(const std::string& gz);
// zlib format (what PDF's FlateDecode reads).
std::string zlib_compress(const std::string& data);
// A PDF whose object i+1 is objects[i] (a dictionary, or a dictionary plus "stream ... endstream"), with
// the trailer's /Root at object 1.
std::string build_pdf(const std::vector<std::string>& objects);
// "<< /Length N [extra] >>\nstream\n" + data + "\nendstream"
std::string pdf_stream(const std::string& data, const std::string& extra = "");
// True if `text` contains `part`; true if one of the report's problems does.
bool contains(const std::string& text, const std::string& part);
bool has_problem(const preflight::inspect::FileReport& r, const std::string& part);
}  // namespace inspect_test
