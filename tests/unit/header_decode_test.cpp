// Unit tests for mail/header_decode: RFC 2047 words, RFC 2231 parameters and the broken forms Japanese
// mailers send, plus hostile input that must come back unchanged or harmlessly decoded.
#include <doctest/doctest.h>

#include <string>

#include "preflight/mail/header_decode.hpp"
#include "preflight/util/charset.hpp"

using preflight::mail::decode_header_text;
using preflight::mail::decode_phrase_words;
using preflight::mail::header_param;

TEST_CASE("decode_header_text: B and Q encoded-words") {
  CHECK(decode_header_text("=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=") == "日本語");
  CHECK(decode_header_text("=?iso-2022-jp?b?GyRCRnxLXDhsGyhC?=") == "日本語");
  CHECK(decode_header_text("=?UTF-8?Q?caf=C3=A9_au_lait?=") == "café au lait");
  CHECK(decode_header_text("=?UTF-8*ja?B?55Sw5Lit?=") == "田中");  // RFC 2231 language suffix
  CHECK(decode_header_text("=?UTF-8?B?55Sw5Lit?=") == "田中");
  CHECK(decode_header_text("=?UTF-8?B?55Sw5L?=") == "田" + std::string("\xEF\xBF\xBD"));  // no padding
}

TEST_CASE("decode_header_text: a character split across adjacent words survives") {
  // 日本語 in UTF-8 cut after its fourth byte.
  CHECK(decode_header_text("=?UTF-8?B?5pel5g==?= =?UTF-8?B?nKzoqp4=?=") == "日本語");
  CHECK(decode_header_text("=?UTF-8?B?5pel5g==?=\r\n =?UTF-8?B?nKzoqp4=?=") == "日本語");
  CHECK(decode_header_text("=?UTF-8?B?5pel5g==?==?UTF-8?B?nKzoqp4=?=") == "日本語");
}

TEST_CASE("decode_header_text: white space rules") {
  CHECK(decode_header_text("=?UTF-8?Q?a?= =?UTF-8?Q?b?=") == "ab");
  CHECK(decode_header_text("=?UTF-8?Q?a?=  \t =?ISO-8859-1?Q?=E9?=") == "aé");
  CHECK(decode_header_text("Re: =?UTF-8?B?55Sw5Lit?= san") == "Re: 田中 san");
  CHECK(decode_header_text("Hello\r\n world") == "Hello world");
  CHECK(decode_header_text("  padded  ") == "padded");
}

TEST_CASE("decode_header_text: raw 8-bit text") {
  CHECK(decode_header_text("\x93\xFA\x96{\x8C\xEA") == "日本語");  // CP932
  CHECK(decode_header_text("\x1B$BF|K\\8l\x1B(B") == "日本語");    // raw ISO-2022-JP
  CHECK(decode_header_text("\x95\x5C =?UTF-8?B?55Sw5Lit?=") == "表 田中");
}

TEST_CASE("decode_header_text: malformed words stay literal, hostile input is harmless") {
  CHECK(decode_header_text("=?x?B?") == "=?x?B?");
  CHECK(decode_header_text("=?UTF-8?B?!!!!?=") == "=?UTF-8?B?!!!!?=");
  CHECK(decode_header_text("=?UTF-8?B?5?=") == "=?UTF-8?B?5?=");
  CHECK(decode_header_text("=?UTF-8?X?abc?=") == "=?UTF-8?X?abc?=");
  CHECK(decode_header_text("=??B?YQ==?=") == "=??B?YQ==?=");
  CHECK(decode_header_text("=?UTF-8?Q?a b?=") == "=?UTF-8?Q?a b?=");
  CHECK(decode_header_text("=?") == "=?");
  CHECK(decode_header_text("") == "");
  std::string many;
  for (int i = 0; i < 20000; ++i) many += "=?c?B?x";  // would be quadratic with naive rescanning
  CHECK(decode_header_text(many) == many);
}

TEST_CASE("decode_phrase_words quotes decoded display names") {
  CHECK(decode_phrase_words("=?UTF-8?B?55Sw5Lit?= <a@example.jp>, \"Plain\" <b@x.com>") ==
        "\"田中\" <a@example.jp>, \"Plain\" <b@x.com>");
  // say "hi" \ : quotes and backslashes must be escaped inside the new quoted-string.
  CHECK(decode_phrase_words("=?UTF-8?Q?say_=22hi=22_=5C?= <a@x.jp>") == "\"say \\\"hi\\\" \\\\\" <a@x.jp>");
  CHECK(decode_phrase_words("=?UTF-8?B?5pel5g==?= =?UTF-8?B?nKzoqp4=?= <a@x.jp>") == "\"日本語\" <a@x.jp>");
}

TEST_CASE("decode_phrase_words respects quotes, comments and angle addresses") {
  CHECK(decode_phrase_words("\"=?UTF-8?B?55Sw5Lit?=\" <a@x.jp>") == "\"田中\" <a@x.jp>");
  CHECK(decode_phrase_words("a@x.jp (=?UTF-8?Q?a=28b=29?=)") == "a@x.jp (a\\(b\\))");
  CHECK(decode_phrase_words("<=?UTF-8?B?55Sw5Lit?=@x.jp>") == "<=?UTF-8?B?55Sw5Lit?=@x.jp>");
  CHECK(decode_phrase_words("\x93\x63\x92\x86 <a@x.jp>") == "田中 <a@x.jp>");  // raw CP932
  CHECK(decode_phrase_words("\"\x95\x5C\" <a@x.jp>") == "\"表\" <a@x.jp>");   // 0x5C trail byte
  CHECK(decode_phrase_words("plain@x.jp") == "plain@x.jp");
}

TEST_CASE("header_param: plain, quoted and absent parameters") {
  CHECK(header_param("attachment; filename=\"report 2024.pdf\"", "filename") == "report 2024.pdf");
  CHECK(header_param("attachment; FileName=a.txt", "filename") == "a.txt");
  CHECK(header_param("text/plain; charset=utf-8; name=\"x.txt\"", "name") == "x.txt");
  CHECK(header_param("text/plain; filename=x.txt", "name") == std::nullopt);
  CHECK(header_param("attachment", "filename") == std::nullopt);
  CHECK(header_param("attachment; filename=\"a\\\"b.txt\"", "filename") == "a\"b.txt");
  CHECK(header_param("attachment; filename=\"C:\\tmp\\a.txt\"", "filename") == "C:\\tmp\\a.txt");
  CHECK(header_param("filename=bare.txt", "filename") == "bare.txt");
}

TEST_CASE("header_param: RFC 2231") {
  CHECK(header_param("attachment; filename*=ISO-2022-JP''%1B%24B%3Bn%383%1B%28B.txt", "filename") == "試験.txt");
  CHECK(header_param("attachment; filename*=UTF-8'ja'%E7%94%B0%E4%B8%AD.pdf", "filename") == "田中.pdf");
  CHECK(header_param("attachment; filename*0*=UTF-8''%E6%97%A5; filename*1*=%E6%9C%AC.txt", "filename") ==
        "日本.txt");
  // A character split across sections, sections out of order.
  CHECK(header_param("attachment; filename*1*=%AC.txt; filename*0*=UTF-8''%E6%97%A5%E6%9C", "filename") ==
        "日本.txt");
  CHECK(header_param("attachment; filename*0=\"long \"; filename*1=\"name.txt\"", "filename") == "long name.txt");
  CHECK(header_param("attachment; filename=\"fallback.txt\"; filename*=UTF-8''%E6%97%A5.txt", "filename") ==
        "日.txt");
}

TEST_CASE("header_param: encoded-words in values") {
  CHECK(header_param("attachment; filename=\"=?UTF-8?B?55Sw5Lit?=.pdf\"", "filename") == "田中.pdf");
  CHECK(header_param("application/pdf; name=\"=?ISO-2022-JP?B?GyRCO3FOQRsoQi5wZGY=?=\"", "name") == "資料.pdf");
  CHECK(header_param("application/pdf; name==?ISO-2022-JP?B?GyRCO3FOQRsoQi5wZGY=?=", "name") == "資料.pdf");
  // The encoded-word only becomes whole once the continuations are joined.
  CHECK(header_param("attachment; filename*0=\"=?ISO-2022-JP?B?GyRCO\"; filename*1=\"244MxsoQi50eHQ=?=\"",
                     "filename") == "試験.txt");
  CHECK(header_param("attachment;\r\n filename=\"=?UTF-8?B?5pel5g==?=\r\n =?UTF-8?B?nKzoqp4=?=.txt\"", "filename") ==
        "日本語.txt");
}

TEST_CASE("header_param: raw 8-bit values") {
  CHECK(header_param("attachment; filename=\"\x95\x5C.xlsx\"", "filename") == "表.xlsx");
  CHECK(header_param("attachment; filename=\"\x8E\x8E\x8C\xB1.txt\"", "filename") == "試験.txt");
  CHECK(header_param("attachment; filename=\"\xE8\xA9\xA6\xE9\xA8\x93.txt\"", "filename") == "試験.txt");
  CHECK(header_param("attachment; filename=\"\x1B$B;n83\x1B(B.txt\"", "filename") == "試験.txt");
}

TEST_CASE("header_param: hostile input") {
  CHECK(header_param("attachment; filename=\"unterminated", "filename") == "unterminated");
  CHECK(header_param("attachment; filename*=%ZZ%4", "filename") == "%ZZ%4");
  CHECK(header_param("attachment; filename*99999=x; filename*0=y", "filename") == "y");
  CHECK(header_param(";;;==;=\"", "filename") == std::nullopt);
  CHECK(header_param("attachment; filename*=UTF-8''%FF", "filename") == "\xEF\xBF\xBD");
  CHECK(header_param("attachment; filename==?x?B?", "filename") == "=?x?B?");
  CHECK(header_param("", "filename") == std::nullopt);
}
