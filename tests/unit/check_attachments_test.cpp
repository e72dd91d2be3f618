// `preflightctl check` with the shipped checklist policy on the corpus mails that carry real documents and
// disk images: an ISO or VHD with an executable inside is rejected by executable-attachment, a PDF quote
// (LibreOffice, CJK fonts) with a 個人番号 goes to approval by my-number exactly like the same quote as a
// .docx, and the ordinary PDF quote is not stopped.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "preflight/cli/cli.hpp"

using namespace preflight;

namespace {

struct Checked {
  std::string action;
  std::vector<std::string> rules;
};

Checked check(const std::string& corpus_file, const std::string& rcpt) {
  const std::string root = PREFLIGHT_SOURCE_DIR;
  std::ostringstream out, err;
  const int rc = cli::run({"check", root + "/tests/corpus/" + corpus_file, "--policy", root + "/policies/checklist.yaml",
                           "--no-history", "--from", "taro@example.co.jp", "--rcpt", rcpt, "--json"},
                          out, err);
  INFO(err.str());
  REQUIRE(rc == 0);
  const auto j = nlohmann::json::parse(out.str());
  Checked c{j["action"].get<std::string>(), {}};
  for (const auto& r : j["reasons"]) c.rules.push_back(r["rule"].get<std::string>());
  return c;
}

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

}  // namespace

TEST_CASE("preflightctl check rejects an ISO or VHD image that carries an executable") {
  for (const char* file : {"incidents/32-exe-in-iso.eml", "incidents/33-exe-in-vhd.eml"}) {
    INFO(file);
    const Checked c = check(file, "tanaka@sample.co.jp");
    CHECK(c.action == "reject");
    CHECK(has(c.rules, "executable-attachment"));
  }
}

TEST_CASE("preflightctl check sends a PDF quote with a My Number to approval, as it does the same quote in a docx") {
  const Checked pdf = check("incidents/29-my-number-in-pdf-quote.eml", "hr@payroll.example.com");
  const Checked docx = check("incidents/30-my-number-in-docx-quote.eml", "hr@payroll.example.com");
  CHECK(pdf.action == "approve");
  CHECK(has(pdf.rules, "my-number"));
  CHECK(has(pdf.rules, "confidential-keyword"));
  CHECK(pdf.action == docx.action);
  CHECK(has(docx.rules, "my-number"));
  const Checked plain = check("benign/29-pdf-quote.eml", "hr@payroll.example.com");
  CHECK_FALSE(has(plain.rules, "my-number"));
  CHECK_FALSE(has(plain.rules, "confidential-keyword"));
}
