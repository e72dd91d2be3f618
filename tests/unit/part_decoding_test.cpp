// Decoding the content of MIME parts: every transfer encoding gives back the very bytes, from memory and
// from a spilled file; what is over a limit is measured exactly and never kept.
#include <doctest/doctest.h>
#include <glib.h>
#include <unistd.h>

#include <cstdio>
#include <random>
#include <string>

#include "preflight/mail/parse.hpp"

using namespace preflight::mail;

namespace {

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(gen() & 0xff);
  return s;
}

// Base64 in lines of 76 characters, as mail clients send it.
std::string base64_lines(const std::string& bytes) {
  gchar* flat = g_base64_encode(reinterpret_cast<const guchar*>(bytes.data()), bytes.size());
  std::string all(flat), out;
  g_free(flat);
  for (std::size_t at = 0; at < all.size(); at += 76) out += all.substr(at, 76) + "\r\n";
  return out;
}

std::string with_attachment(const std::string& encoding, const std::string& content) {
  return "From: a@example.co.jp\r\nTo: b@x.jp\r\nMIME-Version: 1.0\r\n"
         "Content-Type: multipart/mixed; boundary=\"B\"\r\n\r\n"
         "--B\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
         "--B\r\nContent-Type: application/octet-stream; name=data.bin\r\n"
         "Content-Transfer-Encoding: " + encoding + "\r\n\r\n" + content + "\r\n--B--\r\n";
}

Message parse(const std::string& raw, const ParseLimits& limits = {}) {
  auto r = parse_message(raw, limits);
  REQUIRE(r.ok());
  return *r;
}

// The spilled path of the milter: the message in a file, parsed from its descriptor.
Message parse_from_file(const std::string& raw) {
  FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  REQUIRE(std::fwrite(raw.data(), 1, raw.size(), f) == raw.size());
  std::fflush(f);
  auto r = parse_message_fd(fileno(f));
  std::fclose(f);
  REQUIRE(r.ok());
  return *r;
}

}  // namespace

TEST_CASE("a base64 attachment decodes to its bytes, from memory and from a file") {
  const std::string bytes = random_bytes(300 * 1024 + 7, 1);
  const std::string raw = with_attachment("base64", base64_lines(bytes));
  for (const Message& m : {parse(raw), parse_from_file(raw)}) {
    REQUIRE(m.attachments.size() == 1);
    CHECK(m.attachments[0].size == bytes.size());
    CHECK(m.attachments[0].data == bytes);
    CHECK(m.incomplete.empty());
  }
}

TEST_CASE("quoted-printable and 8-bit attachments decode to their bytes") {
  Message qp = parse(with_attachment("quoted-printable", "caf=C3=A9 =3D soft=\r\nbreak"));
  REQUIRE(qp.attachments.size() == 1);
  CHECK(qp.attachments[0].data == "café = softbreak");
  CHECK(qp.attachments[0].size == qp.attachments[0].data.size());
  Message plain = parse(with_attachment("8bit", "見積書"));
  REQUIRE(plain.attachments.size() == 1);
  CHECK(plain.attachments[0].data == "見積書");
}

TEST_CASE("an attachment over the limit is measured exactly and not kept") {
  const std::string bytes = random_bytes(10000, 2);
  ParseLimits limits;
  limits.max_attachment_bytes = bytes.size() - 1;
  Message m = parse(with_attachment("base64", base64_lines(bytes)), limits);
  REQUIRE(m.attachments.size() == 1);
  CHECK(m.attachments[0].size == bytes.size());
  CHECK(m.attachments[0].data.empty());
  REQUIRE(m.incomplete.size() == 1);
  CHECK(m.incomplete[0].reason == "bytes");
}

TEST_CASE("an attachment whose encoded length is over the limit but whose content is not is kept whole") {
  // 10,000 bytes take 13,336 base64 characters and 176 line breaks: more than 10,000 by the encoded length.
  const std::string bytes = random_bytes(10000, 3);
  ParseLimits limits;
  limits.max_attachment_bytes = bytes.size();
  Message m = parse(with_attachment("base64", base64_lines(bytes)), limits);
  REQUIRE(m.attachments.size() == 1);
  CHECK(m.attachments[0].size == bytes.size());
  CHECK(m.attachments[0].data == bytes);
  CHECK(m.incomplete.empty());
}

TEST_CASE("a text part over the text limit keeps its beginning, cut at the limit") {
  ParseLimits limits;
  limits.max_text_bytes = 100;
  std::string body;
  for (int i = 0; i < 50; ++i) body += "line " + std::to_string(i) + "\r\n";
  Message m = parse("From: a@example.co.jp\r\nTo: b@x.jp\r\nContent-Type: text/plain\r\n"
                    "Content-Transfer-Encoding: base64\r\n\r\n" + base64_lines(body), limits);
  REQUIRE(m.texts.size() == 1);
  CHECK(m.texts[0] == body.substr(0, 100));
  REQUIRE(m.incomplete.size() == 1);
  CHECK(m.incomplete[0].reason == "text");
}
