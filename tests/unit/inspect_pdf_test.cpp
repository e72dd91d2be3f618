// inspect(): PDF. Text from an uncompressed content stream and, after qpdf recompresses it with object and
// cross-reference streams, from FlateDecode streams; encryption by qpdf (RC4 40/128, AES-128, AES-256) in
// both trailer styles, and whether the empty user password opens the file.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "preflight/inspect/inspect.hpp"

#include "inspect_fixtures.hpp"
#include "inspect_support.hpp"

using namespace inspect_test;
using preflight::inspect::FileReport;
using preflight::inspect::inspect;

namespace {

// A one-page PDF with a correct cross-reference table, so qpdf accepts it without warnings.
std::string simple_pdf() {
  const std::string content =
      "BT /F1 12 Tf 72 720 Td (Customer list: Tanaka Ichiro) Tj 0 -14 Td [(Total ) -300 (\\(JPY\\) 5000)] TJ ET";
  const std::vector<std::string> objects = {
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
      "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "\nendstream",
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"};
  return build_pdf(objects);
}

struct Case {
  const char* args;
  bool opens;
};

}  // namespace

TEST_CASE("inspect: plain PDF text from uncompressed and FlateDecode content streams") {
  const std::string pdf = simple_pdf();
  const FileReport r = inspect("list.pdf", pdf);
  CHECK(r.kind == "pdf");
  CHECK_FALSE(r.encrypted);
  CHECK(r.text.find("Customer list: Tanaka Ichiro") != std::string::npos);
  CHECK(r.text.find("Total (JPY) 5000") != std::string::npos);
  const std::string dir = scratch_dir();
  spit(dir + "/in.pdf", pdf);
  run("cd " + dir + " && qpdf --compress-streams=y --object-streams=generate in.pdf packed.pdf");
  const std::string packed = slurp(dir + "/packed.pdf");
  CHECK(packed.find("/FlateDecode") != std::string::npos);
  const FileReport p = inspect("packed.pdf", packed);
  CHECK_FALSE(p.encrypted);
  CHECK(p.text.find("Customer list: Tanaka Ichiro") != std::string::npos);
}

TEST_CASE("inspect: qpdf-encrypted PDFs, with and without a user password") {
  const std::string dir = scratch_dir();
  spit(dir + "/in.pdf", simple_pdf());
  const std::vector<Case> cases = {
      {"--encrypt secret owner 256 --", false},
      {"--encrypt '' owner 256 --", true},
      {"--encrypt '' owner 256 -- --object-streams=generate", true},
      {"--encrypt secret owner 256 -- --object-streams=generate", false},
      {"--encrypt '' owner 128 --use-aes=y --", true},
      {"--allow-weak-crypto --encrypt '' owner 128 --use-aes=n --", true},
      {"--allow-weak-crypto --encrypt secret owner 128 --use-aes=n --", false},
      {"--allow-weak-crypto --encrypt '' owner 40 --", true},
  };
  for (const Case& c : cases) {
    INFO("qpdf " << std::string(c.args));
    run("cd " + dir + " && qpdf " + c.args + " in.pdf out.pdf");
    const FileReport r = inspect("out.pdf", slurp(dir + "/out.pdf"));
    CHECK(r.kind == "pdf");
    CHECK(r.encrypted);
    CHECK(r.encryption == "pdf");
    CHECK(r.opens_without_password == c.opens);
    CHECK(r.text.empty());
  }
}
