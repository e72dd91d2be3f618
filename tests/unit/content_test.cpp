// Unit tests for detect/content.hpp: normalisation, check digits, number classification and context,
// keyword sets, counts, hostile input and concurrent scans.
#include "preflight/detect/content.hpp"

#include <doctest/doctest.h>

#include <random>
#include <thread>

#include "preflight/util/charset.hpp"

using namespace preflight::detect;

namespace {

const ContentScanner& scanner() {
  static const ContentScanner s({{"confidential", {"社外秘", "機密", "極秘", "取扱注意", "Confidential"}},
                                 {"internal", {"ＩＮＴＥＲＮＡＬ ＯＮＬＹ", "社内限り"}}});
  return s;
}

ContentCounts scan(std::string_view text) { return scanner().scan(text); }

std::int64_t keyword(const ContentCounts& c, const std::string& set) {
  const auto it = c.keywords.find(set);
  return it == c.keywords.end() ? 0 : it->second;
}

}  // namespace

TEST_CASE("normalise_text: full-width digits and letters become ASCII") {
  CHECK(normalise_text("１２３４５６７８９０１８") == "123456789018");
  CHECK(normalise_text("ＣＯＮＦＩＤＥＮＴＩＡＬ") == "CONFIDENTIAL");
  CHECK(normalise_text("ﾃｽﾄ　です") == "テスト です");
  CHECK(normalise_text("㈱サンプル①") == "(株)サンプル1");
  CHECK(normalise_text("か\u3099") == "が");
  CHECK(normalise_text("plain ascii text") == "plain ascii text");
  CHECK(normalise_text("漢字とかなとカナ") == "漢字とかなとカナ");
}

TEST_CASE("normalise_text: separators between digits are folded") {
  CHECK(normalise_text("1234-5678-9018") == "123456789018");
  CHECK(normalise_text("1234 5678 9018") == "123456789018");
  CHECK(normalise_text("1234ー5678ー9018") == "123456789018");
  CHECK(normalise_text("１２３４－５６７８－９０１８") == "123456789018");
  CHECK(normalise_text("1234\u2010" "5678\u2015" "9018\u2212" "1") == "1234567890181");
  CHECK(normalise_text("1234\u2013" "5678") == "12345678");
}

TEST_CASE("normalise_text: other text around digits is kept") {
  CHECK(normalise_text("10  20") == "10  20");              // a run of separators is a column gap
  CHECK(normalise_text("A-1 and 2 - 3") == "A-1 and 2 - 3");  // a separator needs a digit on each side
  CHECK(normalise_text("コーヒー 3杯") == "コーヒー 3杯");       // ー between kana stays
  CHECK(normalise_text("12-") == "12-");
  CHECK(normalise_text("") == "");
}

TEST_CASE("normalise_text agrees with GLib NFKC on mixed text") {
  // Pieces without digits or separators, so folding cannot differ; random mixes stress the stretch logic.
  const std::vector<std::string> pieces{"ｶﾞ",    "か\u3099", "ⅱ",   "㈱",     "Ａ",  "A\u0301", "é",     "e",
                                        "漢字",  "ｱ",        "ﾟ",    "\u3000", "\u00a0", "😀",     "𝐀",     "abc",
                                        "\xff",  "\xe3\x81", "\u0301", "ﾊﾟ",   "ＡＢ", "ヾ",       "\u1161", "가",
                                        "ｱﾞ",    "ﾞ",        "ｳﾞ",   "\u3099"};
  std::mt19937 rng(7);
  for (int round = 0; round < 2000; ++round) {
    std::string s;
    const int n = static_cast<int>(rng() % 8);
    for (int k = 0; k < n; ++k) s += pieces[rng() % pieces.size()];
    CAPTURE(s);
    CHECK(normalise_text(s) == preflight::util::nfkc(s));
  }
}

TEST_CASE("normalise_text agrees with GLib NFKC on long mixes of kana, kanji, ASCII and what changes") {
  // Long enough for the sixteen-byte blocks: every character may sit at any place of a block or across two.
  // No digits, so that folding (1 1 -> 11) cannot differ.
  const std::vector<std::string> pieces{"か", "\u3099", "\u309a", "\u309b", "\u309c", "ゟ", "ヿ", "ア", "ー",
                                        "漢",  "字",       "丁",       "\u4dc0", "\u9fff", "\u3000", "、", "。",
                                        "「",  "㈱",       "ｶﾞ",      "Ａ",       "a",       " ",   "-",  "b",
                                        "é",   "\xe3\x81", "\xff",    "\xe4\xb8", "ヴ",   "\u0301", "😀", "\xe3\x82\x99"};
  std::mt19937 rng(11);
  for (int round = 0; round < 3000; ++round) {
    std::string s;
    const int n = 10 + static_cast<int>(rng() % 40);
    for (int k = 0; k < n; ++k) s += pieces[rng() % pieces.size()];
    CAPTURE(s);
    CHECK(normalise_text(s) == preflight::util::nfkc(s));
  }
}

TEST_CASE("every kana and CJK ideograph the block scan skips is left as GLib's NFKC leaves it") {
  const auto utf8 = [](char32_t c) {
    return std::string{static_cast<char>(0xE0 | (c >> 12)), static_cast<char>(0x80 | ((c >> 6) & 0x3F)),
                       static_cast<char>(0x80 | (c & 0x3F))};
  };
  int checked = 0;
  for (char32_t c = 0x3000; c <= 0x9FFF; ++c) {
    if (c == 0x3100) c = 0x4000;  // E3 84.. (bopomofo, compatibility jamo, enclosed forms) is not block-scanned
    const std::string ch = utf8(c);
    const std::string s = "ab" + ch + ch + "cd" + ch + "\u3099" + ch + "xyz" + ch;  // ch at several offsets
    CAPTURE(static_cast<std::uint32_t>(c));
    if (normalise_text(s) != preflight::util::nfkc(s)) CHECK(normalise_text(s) == preflight::util::nfkc(s));
    ++checked;
  }
  CHECK(checked == (0x3100 - 0x3000) + (0xA000 - 0x4000));
}

TEST_CASE("my number check digit") {
  CHECK(valid_my_number("123456789018"));
  CHECK(valid_my_number("291417776316"));
  CHECK(valid_my_number("500080636086"));
  CHECK_FALSE(valid_my_number("123456789012"));
  CHECK_FALSE(valid_my_number("123456789019"));
  CHECK_FALSE(valid_my_number("12345678901"));
  CHECK_FALSE(valid_my_number("1234567890180"));
  CHECK_FALSE(valid_my_number("12345678901a"));
}

TEST_CASE("corporate number check digit") {
  CHECK(valid_corporate_number("7000012050002"));
  CHECK_FALSE(valid_corporate_number("8000012050002"));
  CHECK_FALSE(valid_corporate_number("7000012050003"));
  CHECK_FALSE(valid_corporate_number("700001205000"));
  CHECK(scan("法人番号: 7000012050002").corporate_number == 1);
  CHECK(scan("法人番号: 7000-0120-50002").corporate_number == 1);
  CHECK(scan("法人番号: 8000012050002").corporate_number == 0);
}

TEST_CASE("card numbers: brand prefix, length and Luhn") {
  for (const char* good : {"4111111111111111", "4222222222222", "4111111111111111110", "5555555555554444",
                           "2223000048400011", "378282246310005", "371449635398431", "3530111333300000",
                           "3566002020360505", "30569309025904", "38520000023237", "36227206271667"}) {
    CAPTURE(good);
    CHECK(valid_card_number(good));
  }
  for (const char* bad : {"4111111111111112", "5555555555554445", "378282246310006", "3530111333300001",
                          "30569309025905", "6011111111111117" /* Discover: not a listed brand */,
                          "411111111111111" /* Visa 15 */, "37828224631000" /* Amex 14 */}) {
    CAPTURE(bad);
    CHECK_FALSE(valid_card_number(bad));
  }
}

TEST_CASE("card numbers in text, with separators, and inside longer runs") {
  CHECK(scan("カード番号 4111 1111 1111 1111 有効期限").card_number == 1);
  CHECK(scan("カード番号 4111-1111-1111-1111").card_number == 1);
  CHECK(scan("カード番号 ４１１１１１１１１１１１１１１１").card_number == 1);
  CHECK(scan("カード番号 4111-1111-1111-1112").card_number == 0);
  CHECK(scan("Amex 3782 822463 10005, JCB 3530111333300000, Diners 3056 930902 5904").card_number == 3);
  CHECK(scan("番号 41111111111111110000 です").card_number == 0);  // 20 digits
  CHECK(scan("番号 12345678901812345678 です").my_number_candidates == 0);
}

TEST_CASE("my number: full-width and separated forms are found") {
  CHECK(scan("１２３４５６７８９０１８").my_number_candidates == 1);
  CHECK(scan("1234-5678-9018").my_number_candidates == 1);
  CHECK(scan("1234 5678 9018").my_number_candidates == 1);
  CHECK(scan("1234ー5678ー9018").my_number_candidates == 1);
  CHECK(scan("1234－5678－9018").my_number_candidates == 1);
  CHECK(scan("123456789012").my_number_candidates == 0);
  CHECK(scan("1234567890181").my_number_candidates == 0);  // 13 digits
}

TEST_CASE("my number: context rule") {
  const ContentCounts bare = scan("お問い合わせ番号は 123456789018 です。");
  CHECK(bare.my_number_candidates == 1);
  CHECK(bare.my_number == 0);
  CHECK(scan("マイナンバー: 123456789018").my_number == 1);
  CHECK(scan("123456789018 (個人番号)").my_number == 1);
  CHECK(scan("My Number 123456789018").my_number == 1);
  CHECK(scan("MYNUMBER=123456789018").my_number == 1);
  CHECK(scan("ﾏｲﾅﾝﾊﾞｰ 1234 5678 9018").my_number == 1);
  const std::string far = "マイナンバー" + std::string(300, '.') + "123456789018";
  CHECK(scan(far).my_number == 0);
  const std::string list = "291417776316\n706690743914\n500080636086\n377835337401\n681241586836\n";
  const ContentCounts l = scan(list);
  CHECK(l.my_number_candidates == 5);
  CHECK(l.my_number == 5);
  CHECK(scan("291417776316 706690743914").my_number == 0);  // two are not a list
}

TEST_CASE("phone numbers") {
  CHECK(scan("TEL 03-1234-5678").phone == 1);
  CHECK(scan("TEL 045-123-4567 / 0467-12-3456").phone == 2);
  CHECK(scan("携帯 090-1234-5678").phone == 1);
  CHECK(scan("携帯 ０８０ー１２３４ー５６７８").phone == 1);
  CHECK(scan("携帯 07012345678").phone == 1);
  CHECK(scan("フリーダイヤル 0120-123-456").phone == 1);
  CHECK(scan("+81 90-1234-5678").phone == 1);
  CHECK(scan("+81-3-1234-5678").phone == 1);
  CHECK(scan("0312345678").phone == 0);     // unseparated fixed line: too ambiguous
  CHECK(scan("090-12345-678").phone == 0);  // wrong grouping
  CHECK(scan("+1 415-555-0100").phone == 0);
  CHECK(scan("2024-01-15 12:00").phone == 0);
}

TEST_CASE("postal codes") {
  CHECK(scan("〒100-0001 東京都千代田区").postal_code == 1);
  CHECK(scan("〒 100-0001").postal_code == 1);
  CHECK(scan("〒1000001").postal_code == 1);
  CHECK(scan("住所 100-0001 東京都").postal_code == 1);
  CHECK(scan("〒１００－０００１").postal_code == 1);
  CHECK(scan("100 0001").postal_code == 0);
  CHECK(scan("1000001").postal_code == 0);
  CHECK(scan("1000-0001").postal_code == 0);
}

TEST_CASE("e-mail addresses") {
  CHECK(scan("連絡先: taro.yamada@example.co.jp まで").email_address == 1);
  CHECK(scan("a+b@mail.example.com, c_d@example.org.").email_address == 2);
  CHECK(scan("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ").email_address == 1);
  CHECK(scan("@example.com user@ x@y.z foo@localhost").email_address == 0);
}

TEST_CASE("keyword sets") {
  CHECK(keyword(scan("この資料は社外秘です"), "confidential") == 1);
  CHECK(keyword(scan("機密情報・極秘・取扱注意"), "confidential") == 3);
  CHECK(keyword(scan("CoNfIdEnTiAl"), "confidential") == 1);
  CHECK(keyword(scan("ＣＯＮＦＩＤＥＮＴＩＡＬ"), "confidential") == 1);
  CHECK(keyword(scan("internal only"), "internal") == 1);  // the set's word was full-width
  const ContentCounts none = scan("ごく普通の文章です。");
  CHECK(none.keywords.empty());
  CHECK(keyword(scan("社外秘 社外秘 社外秘"), "confidential") == 3);
}

TEST_CASE("counts tell one row from 500 rows") {
  const std::string row = "山田太郎,マイナンバー,123456789018,090-1234-5678,taro@example.jp,〒100-0001\n";
  const ContentCounts one = scan(row);
  CHECK(one.my_number == 1);
  CHECK(one.phone == 1);
  CHECK(one.email_address == 1);
  CHECK(one.postal_code == 1);
  std::string rows;
  for (int i = 0; i < 500; ++i) rows += row;
  const ContentCounts many = scan(rows);
  CHECK(many.my_number == 500);
  CHECK(many.my_number_candidates == 500);
  CHECK(many.phone == 500);
  CHECK(many.email_address == 500);
  CHECK(many.postal_code == 500);
}

TEST_CASE("empty and invalid UTF-8 input") {
  const ContentCounts empty = scan("");
  CHECK(empty.my_number_candidates == 0);
  CHECK(empty.keywords.empty());
  const std::string bad = "\xff\xfe 123456789018 \xc3\x28 \xe3\x81 社外秘 \xed\xa0\x80 \xf4\x90\x80\x80\xc3";
  const ContentCounts c = scan(bad);
  CHECK(c.my_number_candidates == 1);
  CHECK(keyword(c, "confidential") == 1);
  CHECK(preflight::util::is_utf8(normalise_text(bad)));
  CHECK(scan(std::string("a\0b 123456789018", 16)).my_number_candidates == 1);
}

TEST_CASE("a scanner without keyword sets still counts numbers") {
  const ContentScanner bare({});
  CHECK(bare.scan("マイナンバー 123456789018").my_number == 1);
  const ContentScanner odd({{"empty", {""}}, {"dup", {"機密", "機密"}}});
  CHECK(odd.scan("機密").keywords.at("dup") == 1);
}

TEST_CASE("ContentCounts += adds everything") {
  ContentCounts a = scan("社外秘 マイナンバー 123456789018");
  a += scan("機密 090-1234-5678");
  CHECK(a.my_number == 1);
  CHECK(a.phone == 1);
  CHECK(keyword(a, "confidential") == 2);
}

TEST_CASE("scanning from several threads gives the same counts") {
  std::string text;
  for (int i = 0; i < 200; ++i)
    text += "社外秘 マイナンバー 123456789018 ＴＥＬ ０３－１２３４－５６７８ 4111111111111111 a@b.jp ｶﾀｶﾅ\n";
  const ContentCounts expected = scan(text);
  REQUIRE(expected.my_number == 200);
  std::vector<ContentCounts> results(8);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < results.size(); ++t)
    threads.emplace_back([&, t] {
      for (int k = 0; k < 20; ++k) results[t] = scan(text);
    });
  for (auto& th : threads) th.join();
  for (const ContentCounts& r : results) {
    CHECK(r.my_number == expected.my_number);
    CHECK(r.phone == expected.phone);
    CHECK(r.card_number == expected.card_number);
    CHECK(r.email_address == expected.email_address);
    CHECK(r.keywords == expected.keywords);
  }
}
