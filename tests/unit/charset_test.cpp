// Unit tests for util/charset and util/iso2022jp: Japanese vendor sets survive, bad bytes become U+FFFD,
// hostile input neither crashes nor hangs.
#include <doctest/doctest.h>

#include <glib.h>

#include <random>
#include <string>

#include "preflight/util/charset.hpp"
#include "preflight/util/iso2022jp.hpp"

using preflight::util::guess_to_utf8;
using preflight::util::is_utf8;
using preflight::util::iso2022jp_to_cp932;
using preflight::util::nfkc;
using preflight::util::to_utf8;

namespace {
const std::string kFffd = "\xEF\xBF\xBD";
const std::string kJisNihongo = "\x1B$BF|K\\8l\x1B(B";  // 日本語: ESC $ B 46 7C 4B 5C 38 6C ESC ( B
}  // namespace

TEST_CASE("ISO-2022-JP is decoded by walking its escape sequences") {
  CHECK(to_utf8(kJisNihongo, "ISO-2022-JP") == "日本語");
  CHECK(to_utf8("abc" + kJisNihongo + "def", "iso-2022-jp") == "abc日本語def");
  CHECK(to_utf8("\x1B$@F|K\\8l\x1B(J", "ISO-2022-JP") == "日本語");  // old JIS C 6226 designation
  CHECK(to_utf8(kJisNihongo, "ISO-2022-JP-2") == "日本語");
  CHECK(to_utf8("\x1B(I\x43\x3D\x44\x1B(B", "ISO-2022-JP") == "ﾃｽﾄ");  // half-width katakana set
}

TEST_CASE("ISO-2022-JP keeps NEC row 13, which glibc's converter rejects") {
  CHECK(to_utf8("\x1B$B\x2D\x21\x1B(B", "ISO-2022-JP") == "①");
  CHECK(to_utf8("\x1B$B\x2D\x6A\x1B(B", "ISO-2022-JP") == "㈱");
  CHECK(to_utf8("\x1B$B\x2D\x21\x2D\x6A\x1B(B", "ISO-2022-JP") == "①㈱");
}

TEST_CASE("JIS pairs map to Shift_JIS arithmetically") {
  CHECK(iso2022jp_to_cp932(kJisNihongo) == "\x93\xFA\x96{\x8C\xEA");
  CHECK(iso2022jp_to_cp932("\x1B$B\x2D\x21\x1B(B") == "\x87\x40");
  CHECK(iso2022jp_to_cp932("\x1B$B\x7E\x7E") == "\xEF\xFC");  // last cell: even row, high trail
}

TEST_CASE("ISO-2022-JP from hostile input never crashes and marks damage") {
  CHECK(to_utf8("\x1B", "ISO-2022-JP") == kFffd);
  CHECK(to_utf8("a\x1B$", "ISO-2022-JP") == "a" + kFffd + "$");
  CHECK(to_utf8("\x1B$BF", "ISO-2022-JP") == kFffd);  // odd byte left in two-byte mode
  CHECK(to_utf8("\x1B$(", "ISO-2022-JP").size() > 0);
  CHECK(to_utf8("\x1B$A\x30\x21\x1B(Bx", "ISO-2022-JP") == kFffd + "x");  // GB2312: no CP932 form
  CHECK(to_utf8("\x1B$B\xFF\xFE", "ISO-2022-JP") == kFffd + kFffd);
  const char hostile[] = "\x1B$B\x00\x1B\x1B(\x1B$(D!!\x1B$";
  CHECK(is_utf8(to_utf8(std::string(hostile, sizeof hostile - 1), "ISO-2022-JP")));
}

TEST_CASE("Shift_JIS labels decode as CP932") {
  CHECK(to_utf8("\xFB\xFC", "Shift_JIS") == "髙");  // IBM extension
  CHECK(to_utf8("\xEE\xE0", "Shift_JIS") == "髙");  // NEC-selected IBM extension
  CHECK(to_utf8("\xED\x95", "SJIS") == "﨑");
  CHECK(to_utf8("\x87\x40\x87\x8A", "x-sjis") == "①㈱");
  CHECK(to_utf8("\x95\x5C.txt", "Windows-31J") == "表.txt");
  CHECK(to_utf8("\x82\xA0\xFF\x82\xA2", "shift_jis") == "あ" + kFffd + "い");
}

TEST_CASE("EUC-JP decodes with the Microsoft extensions") {
  CHECK(to_utf8("\xBB\xEE\xB8\xB3", "EUC-JP") == "試験");
  CHECK(to_utf8("\xAD\xA1", "euc-jp") == "①");
}

TEST_CASE("other labels and fallbacks") {
  CHECK(to_utf8("caf\xE9", "ISO-8859-1") == "café");
  CHECK(to_utf8("日本", "utf-8") == "日本");
  CHECK(to_utf8("a\xC3", "UTF-8") == "a" + kFffd);
  CHECK(to_utf8("plain", "us-ascii") == "plain");
  CHECK(to_utf8("\x93\xFA\x96{", "us-ascii") == "日本");  // 8-bit under an ASCII label gets guessed
  CHECK(to_utf8("\x93\xFA\x96{", "no-such-charset") == "日本");
  CHECK(to_utf8("\x93\xFA\x96{", "") == "日本");
}

TEST_CASE("guess_to_utf8") {
  CHECK(guess_to_utf8("日本語テキスト") == "日本語テキスト");
  CHECK(guess_to_utf8("ascii only") == "ascii only");
  CHECK(guess_to_utf8("\x93\xFA\x96{\x8C\xEA.txt") == "日本語.txt");
  CHECK(guess_to_utf8(kJisNihongo) == "日本語");
  CHECK(guess_to_utf8("M\xFCller") == "Müller");
  CHECK(guess_to_utf8("caf\xE9") == "café");
  CHECK(guess_to_utf8("") == "");
}

TEST_CASE("is_utf8 rejects malformed sequences") {
  CHECK(is_utf8("日本"));
  CHECK(is_utf8(std::string("a\0b", 3)));
  CHECK_FALSE(is_utf8("\xC0\xAF"));          // overlong '/'
  CHECK_FALSE(is_utf8("\xED\xA0\x80"));      // surrogate
  CHECK_FALSE(is_utf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  CHECK_FALSE(is_utf8("\xE6\x97"));          // truncated
}

TEST_CASE("text NFKC leaves alone comes back as it is, through the shortcut and through GLib alike") {
  // Kana, kanji, Japanese punctuation and ASCII: the shortcut's alphabet. A half-width katakana appended
  // sends the same text through GLib, which must leave the rest unchanged too.
  const std::vector<std::string> alphabet = {"あ", "ゔ", "ゖ", "ア", "ヺ", "ー", "・", "、", "。", "々", "〇", "「", "」",
                                             "【", "】", "一", "鿿", "髙", "a", "Z", "0", " ", "\n", "\t", "-", "~"};
  std::mt19937 rng(12);
  for (int i = 0; i < 2000; ++i) {
    std::string text;
    for (int n = static_cast<int>(rng() % 40); n > 0; --n) text += alphabet[rng() % alphabet.size()];
    INFO(text);
    CHECK(nfkc(text) == text);
    CHECK(nfkc(text + "ｱ") == text + "ア");
  }
  // Just outside it, NFKC changes the text: a combining sound mark, the ideographic space, full width.
  CHECK(nfkc("か\u3099") == "が");
  CHECK(nfkc("は\u309A") == "ぱ");
  CHECK(nfkc("a\u0301") == "á");
  CHECK(nfkc("日本\u3000語") == "日本 語");
  CHECK(nfkc("〜～") == "〜~");
  CHECK(nfkc("\xE3\x81").rfind(kFffd, 0) == 0);  // a cut three-byte sequence is repaired, not copied
}

TEST_CASE("nfkc of mixed text, copied in runs and normalised between them, is GLib's NFKC of the whole") {
  // Stable characters next to what NFKC changes or composes: combining sound marks after kana, half-width
  // katakana and their sound marks, full-width letters, the ideographic space, circled numbers, accents.
  const std::vector<std::string> alphabet = {"か", "は", "ウ", "ア", "漢", "、", "a", "e", " ", "1",
                                             "\u3099", "\u309A", "ｶ", "ﾞ", "ﾟ", "Ａ", "　", "①", "㈱", "\u0301", "é",
                                             "\u309B", "ㇰ", "ﾃ", "ｽ", "ﾄ", "\uFF5E", "！", "＿", "｀", "ｚ", "１"};
  std::mt19937 rng(34);
  for (int i = 0; i < 3000; ++i) {
    std::string text;
    for (int n = static_cast<int>(rng() % 30); n > 0; --n) text += alphabet[rng() % alphabet.size()];
    gchar* whole = g_utf8_normalize(text.data(), static_cast<gssize>(text.size()), G_NORMALIZE_NFKC);
    REQUIRE(whole != nullptr);
    std::string expected(whole);
    g_free(whole);
    INFO(text);
    CHECK(nfkc(text) == expected);
  }
}

TEST_CASE("nfkc folds width variants and repairs bad bytes") {
  CHECK(nfkc("１２３ＡＢＣ") == "123ABC");
  CHECK(nfkc("ﾃｽﾄ") == "テスト");
  CHECK(nfkc("①㈱") == "1(株)");
  CHECK(nfkc("a\xFF") == "a" + kFffd);
  CHECK(nfkc(std::string("Ａ\0Ｂ", 7)) == std::string("A\0B", 3));
}
