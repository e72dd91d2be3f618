// inspect(): Office documents. docx/xlsx made by python3-docx/python3-openpyxl (text, tables, every sheet,
// hidden and veryHidden sheets), macro detection by content type under innocent names, xls made by
// python3-xlwt (sheet names and hidden states), and compound files built byte by byte: encrypted OOXML,
// .doc with fEncrypted and macros, .xls with FilePass (including Excel's VelvetSweatshop default), .ppt.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "../../src/inspect/crypto.hpp"
#include "preflight/inspect/inspect.hpp"

#include "inspect_support.hpp"

using namespace inspect_test;
using preflight::inspect::FileReport;
using preflight::inspect::inspect;

namespace {

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

// Python from Debian's packages (not a virtualenv's): the generators need python3-docx and python3-openpyxl.
void python(const std::string& dir, const std::string& script) {
  spit(dir + "/gen.py", script);
  run("cd " + dir + " && /usr/bin/python3 gen.py");
}

// Rewrites an OOXML package: main content type replaced, and `vba` added as part `vba_part` with the
// vbaProject content type (whatever its name).
void make_macro_enabled(const std::string& dir, const std::string& in, const std::string& out, const std::string& old_type,
                        const std::string& new_type, const std::string& vba_part) {
  spit(dir + "/vba.bin", build_cfb({{"VBA/dir", "x"}, {"VBA/Module1", "Sub AutoOpen()"}, {"PROJECT", "ID="}}));
  python(dir, "import zipfile\n"
              "src = zipfile.ZipFile('" + in + "')\n"
              "dst = zipfile.ZipFile('" + out + "', 'w', zipfile.ZIP_DEFLATED)\n"
              "for item in src.infolist():\n"
              "    data = src.read(item.filename)\n"
              "    if item.filename == '[Content_Types].xml':\n"
              "        data = data.replace(b'" + old_type + "', b'" + new_type + "')\n"
              "        data = data.replace(b'</Types>', b'<Override PartName=\"/" + vba_part +
                  "\" ContentType=\"application/vnd.ms-office.vbaProject\"/></Types>')\n"
              "    dst.writestr(item, data)\n"
              "dst.write('vba.bin', '" + vba_part + "')\n"
              "dst.close()\n");
}

void put16(std::string& s, unsigned v) {
  s += static_cast<char>(v & 0xFF);
  s += static_cast<char>((v >> 8) & 0xFF);
}

std::string biff(unsigned type, const std::string& data) {
  std::string r;
  put16(r, type);
  put16(r, static_cast<unsigned>(data.size()));
  return r + data;
}

// FilePass for RC4 encryption (version 1.1) whose verifier matches `password`.
std::string rc4_filepass(const std::string& password) {
  using namespace preflight::inspect::detail;
  std::string pwd;
  for (char c : password) pwd += {c, '\0'};
  const std::string salt(16, '\x5A'), verifier = "0123456789abcdef";
  const std::string h0 = digest("MD5", pwd).substr(0, 5);
  std::string buf;
  for (int i = 0; i < 16; ++i) buf += h0 + salt;
  const std::string key = digest("MD5", digest("MD5", buf).substr(0, 5) + std::string(4, '\0'));
  const std::string enc = rc4(key, verifier + digest("MD5", verifier));
  std::string d;
  put16(d, 1);
  put16(d, 1);
  put16(d, 1);
  return d + salt + enc;
}

std::string workbook_stream(const std::string& filepass) {
  std::string bof;
  put16(bof, 0x0600);
  put16(bof, 0x0005);
  bof.resize(16, '\0');
  std::string sheet("\0\0\0\0\0\0\x06\0Sheet1", 14);
  return biff(0x0809, bof) + (filepass.empty() ? "" : biff(0x002F, filepass)) + biff(0x0085, sheet) + biff(0x000A, "");
}

}  // namespace

TEST_CASE("inspect: docx text with paragraphs and a table (python3-docx)") {
  const std::string dir = scratch_dir();
  python(dir, "import docx\n"
              "d = docx.Document()\n"
              "d.add_paragraph('お見積書 ご担当者様')\n"
              "t = d.add_table(rows=2, cols=2)\n"
              "t.cell(0, 0).text = '氏名'\n"
              "t.cell(0, 1).text = '電話'\n"
              "t.cell(1, 0).text = '山田太郎'\n"
              "t.cell(1, 1).text = '090-1111-2222'\n"
              "d.save('quote.docx')\n");
  const FileReport r = inspect("quote.docx", slurp(dir + "/quote.docx"));
  CHECK(r.kind == "docx");
  CHECK_FALSE(r.macros);
  CHECK_FALSE(r.encrypted);
  CHECK(has(r.text, "お見積書 ご担当者様"));
  CHECK(has(r.text, "山田太郎\t090-1111-2222"));
  CHECK(r.children.empty());
}

TEST_CASE("inspect: xlsx text of every sheet, sheet names, hidden and veryHidden (python3-openpyxl)") {
  const std::string dir = scratch_dir();
  python(dir, "import openpyxl\n"
              "wb = openpyxl.Workbook()\n"
              "ws = wb.active\n"
              "ws.title = '顧客一覧'\n"
              "ws.append(['氏名', 'メール', '金額'])\n"
              "ws.append(['佐藤花子', 'hanako@example.jp', 12345])\n"
              "h = wb.create_sheet('作業用')\n"
              "h['A1'] = '内部メモ'\n"
              "h.sheet_state = 'hidden'\n"
              "v = wb.create_sheet('Secret')\n"
              "v['B2'] = 'very hidden text'\n"
              "v.sheet_state = 'veryHidden'\n"
              "wb.save('customers.xlsx')\n");
  const FileReport r = inspect("customers.xlsx", slurp(dir + "/customers.xlsx"));
  CHECK(r.kind == "xlsx");
  CHECK_FALSE(r.macros);
  CHECK(r.sheets == std::vector<std::string>{"顧客一覧", "作業用", "Secret"});
  CHECK(r.hidden_sheets == std::vector<std::string>{"作業用", "Secret"});
  CHECK(has(r.text, "顧客一覧\n"));
  CHECK(has(r.text, "佐藤花子\thanako@example.jp\t12345"));
  CHECK(has(r.text, "内部メモ"));
  CHECK(has(r.text, "very hidden text"));
}

TEST_CASE("inspect: xlsm and docm macros are found by content type under innocent names") {
  const std::string dir = scratch_dir();
  python(dir, "import openpyxl, docx\n"
              "wb = openpyxl.Workbook()\n"
              "wb.active['A1'] = 'hello'\n"
              "wb.save('plain.xlsx')\n"
              "docx.Document().save('plain.docx')\n");
  make_macro_enabled(dir, "plain.xlsx", "report.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                     "application/vnd.ms-excel.sheet.macroEnabled.main+xml", "xl/vbaProject.bin");
  const FileReport x = inspect("report.xlsx", slurp(dir + "/report.xlsx"));
  CHECK(x.kind == "xlsx");
  CHECK(x.macros);
  CHECK(has(x.text, "hello"));
  // A renamed VBA part in a document whose main part type still claims to be macro-free.
  make_macro_enabled(dir, "plain.docx", "letter.docx", "unused-type", "unused-type", "word/styles2.dat");
  const FileReport d = inspect("letter.docx", slurp(dir + "/letter.docx"));
  CHECK(d.kind == "docx");
  CHECK(d.macros);
  CHECK_FALSE(inspect("plain.docx", slurp(dir + "/plain.docx")).macros);
  CHECK_FALSE(inspect("plain.xlsx", slurp(dir + "/plain.xlsx")).macros);
}

TEST_CASE("inspect: encrypted OOXML is a compound file with EncryptionInfo and EncryptedPackage") {
  const std::string cfb = build_cfb({{"EncryptionInfo", std::string("\x04\0\x04\0\x40\0\0\0", 8)},
                                     {"EncryptedPackage", std::string(8192, '\x33')},
                                     {"\x06" "DataSpaces/Version", "x"}});
  const FileReport r = inspect("見積書.xlsx", cfb);
  CHECK(r.kind == "encrypted-ooxml");
  CHECK(r.encrypted);
  CHECK(r.encryption == "ooxml");
}

TEST_CASE("inspect: .doc encryption flag and macro storage") {
  std::string fib(0x200, '\0');
  fib[0] = '\xEC', fib[1] = '\xA5';
  const FileReport plain = inspect("a.doc", build_cfb({{"WordDocument", fib}, {"1Table", "t"}}));
  CHECK(plain.kind == "doc");
  CHECK_FALSE(plain.encrypted);
  CHECK_FALSE(plain.macros);
  fib[0x0B] = '\x01';  // fEncrypted (0x0100 in the word at 0x0A)
  const FileReport enc = inspect("b.doc", build_cfb({{"WordDocument", fib}, {"Macros/VBA/dir", "d"}}));
  CHECK(enc.kind == "doc");
  CHECK(enc.encrypted);
  CHECK(enc.encryption == "doc");
  CHECK(enc.macros);
}

TEST_CASE("inspect: .xls FilePass, and Excel's VelvetSweatshop default password") {
  const FileReport plain = inspect("a.xls", build_cfb({{"Workbook", workbook_stream("")}, {"_VBA_PROJECT_CUR/VBA/dir", "d"}}));
  CHECK(plain.kind == "xls");
  CHECK_FALSE(plain.encrypted);
  CHECK(plain.macros);
  CHECK(plain.sheets == std::vector<std::string>{"Sheet1"});
  const FileReport locked = inspect("b.xls", build_cfb({{"Workbook", workbook_stream(rc4_filepass("s3cret"))}}));
  CHECK(locked.encrypted);
  CHECK(locked.encryption == "xls");
  CHECK_FALSE(locked.opens_without_password);
  const FileReport velvet = inspect("c.xls", build_cfb({{"Workbook", workbook_stream(rc4_filepass("VelvetSweatshop"))}}));
  CHECK(velvet.encrypted);
  CHECK(velvet.opens_without_password);
  CHECK(has(velvet.problems.empty() ? "" : velvet.problems.front(), "VelvetSweatshop"));
}

TEST_CASE("inspect: .xls sheet names and hidden states (python3-xlwt)") {
  const std::string dir = scratch_dir();
  python(dir, "import xlwt\n"
              "wb = xlwt.Workbook(encoding='utf-8')\n"
              "a = wb.add_sheet('名簿')\n"
              "a.write(0, 0, '田中')\n"
              "b = wb.add_sheet('hidden1')\n"
              "b.visibility = 1\n"
              "c = wb.add_sheet('vhidden')\n"
              "c.visibility = 2\n"
              "wb.save('book.xls')\n");
  const FileReport r = inspect("book.xls", slurp(dir + "/book.xls"));
  CHECK(r.kind == "xls");
  CHECK_FALSE(r.encrypted);
  CHECK(r.sheets == std::vector<std::string>{"名簿", "hidden1", "vhidden"});
  CHECK(r.hidden_sheets == std::vector<std::string>{"hidden1", "vhidden"});
}

TEST_CASE("inspect: .ppt with an EncryptedSummary stream is encrypted") {
  const FileReport r = inspect("deck.ppt", build_cfb({{"PowerPoint Document", "p"}, {"EncryptedSummary", "e"}, {"Current User", "u"}}));
  CHECK(r.kind == "ppt");
  CHECK(r.encrypted);
  CHECK(r.encryption == "ppt");
  const FileReport plain = inspect("deck.ppt", build_cfb({{"PowerPoint Document", "p"}, {"Current User", "u"}}));
  CHECK(plain.kind == "ppt");
  CHECK_FALSE(plain.encrypted);
}
