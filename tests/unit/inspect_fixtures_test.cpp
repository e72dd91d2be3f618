// Helpers declared in inspect_fixtures.hpp.
#include <doctest/doctest.h>
#include <zlib.h>

#include "inspect_fixtures.hpp"
#include "inspect_support.hpp"

namespace inspect_test {

std::string fixture(const std::string& name) { return slurp(std::string(PREFLIGHT_SOURCE_DIR) + "/tests/fixtures/" + name); }

std::string gunzip(const std::string& gz) {
  z_stream zs{};
  REQUIRE(inflateInit2(&zs, 31) == Z_OK);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  zs.avail_in = static_cast<uInt>(gz.size());
  std::string out;
  char buf[65536];
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
  }
  inflateEnd(&zs);
  REQUIRE(rc == Z_STREAM_END);
  return out;
}

std::string zlib_compress(const std::string& data) {
  uLongf size = compressBound(static_cast<uLong>(data.size()));
  std::string out(size, '\0');
  REQUIRE(compress2(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(data.data()),
                    static_cast<uLong>(data.size()), 9) == Z_OK);
  out.resize(size);
  return out;
}

std::string pdf_stream(const std::string& data, const std::string& extra) {
  return "<< /Length " + std::to_string(data.size()) + " " + extra + " >>\nstream\n" + data + "\nendstream";
}

std::string build_pdf(const std::vector<std::string>& objects) {
  std::string pdf = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  const std::size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (std::size_t off : offsets) {
    std::string n = std::to_string(off);
    pdf += std::string(10 - n.size(), '0') + n + " 00000 n \n";
  }
  pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
         std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

bool has_problem(const preflight::inspect::FileReport& r, const std::string& part) {
  for (const auto& p : r.problems)
    if (contains(p, part)) return true;
  return false;
}

}  // namespace inspect_test
