// Unit tests for mail/layers.hpp: which lines of a body are the sender's own words, quoted text, or
// signature and disclaimer blocks. Each case names words and the layer each must land in.
#include "preflight/mail/layers.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace preflight::mail;

namespace {

enum class In { Own, Quoted, Signature };

struct Expect {
  std::string word;
  In layer;
};

struct Case {
  const char* name;
  std::string text;
  std::vector<Expect> expect;
  bool forward = false;
};

bool has(const std::string& layer, const std::string& word) { return layer.find(word) != std::string::npos; }

void check_case(const Case& c) {
  CAPTURE(c.name);
  const TextLayers l = split_layers(c.text, c.forward);
  CAPTURE(l.own);
  CAPTURE(l.quoted);
  CAPTURE(l.signature);
  for (const Expect& e : c.expect) {
    CAPTURE(e.word);
    CHECK(has(l.own, e.word) == (e.layer == In::Own));
    CHECK(has(l.quoted, e.word) == (e.layer == In::Quoted));
    CHECK(has(l.signature, e.word) == (e.layer == In::Signature));
  }
}

}  // namespace

TEST_CASE("quoted text is told from the sender's own words") {
  const std::vector<Case> cases = {
      {"'>' lines under an English attribution",
       "Thanks, will do. OWN1\n\nOn Mon, 23 Nov 2026 at 10:00, Tanaka <tanaka@sample.co.jp> wrote:\n> QUOTED1\n>> QUOTED2\n",
       {{"OWN1", In::Own}, {"Tanaka", In::Quoted}, {"QUOTED1", In::Quoted}, {"QUOTED2", In::Quoted}}},
      {"an attribution wrapped over two lines",
       "OWN1\nOn Mon, 23 Nov 2026 at 10:00, Tanaka Ichiro <\ntanaka@sample.co.jp> wrote:\n> QUOTED1\n",
       {{"OWN1", In::Own}, {"Tanaka", In::Quoted}, {"QUOTED1", In::Quoted}}},
      {"inline answers between quoted lines stay own",
       "On 2026/11/23 10:00, Tanaka wrote:\n> QUESTION1\nANSWER1\n\n> QUESTION2\nANSWER2\n",
       {{"QUESTION1", In::Quoted}, {"ANSWER1", In::Own}, {"QUESTION2", In::Quoted}, {"ANSWER2", In::Own}}},
      {"Japanese attribution and full-width quote marks",
       "承知しました。OWN1\n\n田中 一郎 さんは書きました:\n＞ QUOTED1\n",
       {{"OWN1", In::Own}, {"QUOTED1", In::Quoted}}},
      {"Gmail's Japanese attribution",
       "OWN1\n\n2026年11月23日(月) 10:00 田中 一郎 <tanaka@sample.co.jp>:\n> QUOTED1\n",
       {{"OWN1", In::Own}, {"田中", In::Quoted}, {"QUOTED1", In::Quoted}}},
      {"an attribution without '>' lines quotes everything below it",
       "OWN1\n\nOn Mon, 23 Nov 2026, Tanaka wrote:\nQUOTED1\n\nQUOTED2\n",
       {{"OWN1", In::Own}, {"QUOTED1", In::Quoted}, {"QUOTED2", In::Quoted}}},
      {"Outlook's Original Message marker",
       "OWN1\n\n-----Original Message-----\nFrom: Tanaka\nSent: Monday, November 23, 2026 10:00 AM\nTo: Taro\n"
       "Subject: RE: quote\n\nQUOTED1\n",
       {{"OWN1", In::Own}, {"Original Message", In::Quoted}, {"QUOTED1", In::Quoted}}},
      {"the Japanese Original Message marker",
       "OWN1\n-----元のメッセージ-----\n差出人: 田中\nQUOTED1\n", {{"OWN1", In::Own}, {"QUOTED1", In::Quoted}}},
      {"Outlook's English header block without a marker",
       "OWN1\n________________________________\nFrom: Tanaka <tanaka@sample.co.jp>\nSent: Monday, 23 November 2026\n"
       "To: Taro <taro@example.co.jp>\nSubject: RE: quote\n\nQUOTED1\n",
       {{"OWN1", In::Own}, {"QUOTED1", In::Quoted}}},
      {"Outlook's Japanese header block with full-width colons",
       "OWN1\n\n差出人: 田中 一郎 <tanaka@sample.co.jp>\n送信日時: 2026年11月23日 10:00\n宛先: 山田 太郎\n件名：RE: 見積\n\nQUOTED1\n",
       {{"OWN1", In::Own}, {"QUOTED1", In::Quoted}}},
      {"'as I wrote:' above a list in the sender's text quotes nothing",
       "As I wrote:\nOWN1 TEL 03-1234-5678\n", {{"OWN1", In::Own}}},
      {"a plain 'Name wrote:' still introduces '>' lines", "Tanaka wrote:\n> QUOTED1\nOWN1\n",
       {{"QUOTED1", In::Quoted}, {"OWN1", In::Own}}},
      {"a lone From: line in prose is not a header block",
       "From: the sales team OWN1\nPlease call us. OWN2\n", {{"OWN1", In::Own}, {"OWN2", In::Own}}},
  };
  for (const Case& c : cases) check_case(c);
}

TEST_CASE("forwarded text is the sender's own, with its header block") {
  const std::vector<Case> cases = {
      {"Gmail's forward marker",
       "FYI OWN1\n\n---------- Forwarded message ---------\nFrom: Tanaka <tanaka@sample.co.jp>\nDate: Mon, 23 Nov 2026\n"
       "Subject: list\nTo: Taro\n\nFORWARDED1\n",
       {{"OWN1", In::Own}, {"Tanaka", In::Own}, {"FORWARDED1", In::Own}}},
      {"Apple Mail's forward marker",
       "Begin forwarded message:\n\nFrom: Tanaka\nSubject: list\nDate: 23 November 2026\n\nFORWARDED1\n",
       {{"FORWARDED1", In::Own}}},
      {"a forward's own quotes are still quoted",
       "---------- Forwarded message ---------\nFORWARDED1\nOn Sun, Tanaka wrote:\n> QUOTED1\n",
       {{"FORWARDED1", In::Own}, {"QUOTED1", In::Quoted}}},
      {"in a forwarded mail the first Original Message is the forwarded message",
       "OWN1\n-----Original Message-----\nFrom: Tanaka\nSent: Monday\nTo: Taro\nSubject: list\n\nFORWARDED1\n"
       "-----Original Message-----\nFrom: Sato\nSent: Sunday\nTo: Tanaka\nSubject: list\n\nQUOTED1\n",
       {{"OWN1", In::Own}, {"FORWARDED1", In::Own}, {"QUOTED1", In::Quoted}},
       true},
      {"a forward marker inside quoted text stays quoted",
       "OWN1\n-----Original Message-----\nFrom: Tanaka\nSent: Monday\nTo: Taro\n\nQUOTED1\n"
       "---------- Forwarded message ---------\nQUOTED2\n",
       {{"OWN1", In::Own}, {"QUOTED1", In::Quoted}, {"QUOTED2", In::Quoted}}},
  };
  for (const Case& c : cases) check_case(c);
}

TEST_CASE("signatures and disclaimers at the end of the sender's text are set apart") {
  const std::vector<Case> cases = {
      {"after '-- '", "OWN1\n-- \nTaro Yamada SIG1\nTEL 03-1234-5678\n", {{"OWN1", In::Own}, {"SIG1", In::Signature}}},
      {"after '--' without the blank, then a quote",
       "OWN1\n--\n株式会社エグザンプル SIG1\n\nOn Mon, Tanaka wrote:\n> QUOTED1\n",
       {{"OWN1", In::Own}, {"SIG1", In::Signature}, {"QUOTED1", In::Quoted}}},
      {"a framed Japanese signature",
       "OWN1\n\n━━━━━━━━━━━━━━━━\n株式会社エグザンプル 営業部 SIG1\n山田 太郎\nTEL：０３－１２３４－５６７８\n━━━━━━━━━━━━━━━━\n",
       {{"OWN1", In::Own}, {"SIG1", In::Signature}}},
      {"under a ==== rule", "OWN1\n==========\nYamada SIG1\nmail: taro@example.co.jp\n",
       {{"OWN1", In::Own}, {"SIG1", In::Signature}}},
      {"under a full-width ＿＿＿ rule", "OWN1\n＿＿＿＿＿＿＿＿\n山田 SIG1\n〒100-0001 東京都千代田区1-1\n",
       {{"OWN1", In::Own}, {"SIG1", In::Signature}}},
      {"a rule with no contact line below it is no signature",
       "OWN1\n----------\nOWN2 see the notes above\n", {{"OWN1", In::Own}, {"OWN2", In::Own}}},
      {"an English confidentiality footer",
       "OWN1\n-- \nTaro SIG1\n\nCONFIDENTIALITY NOTICE: This e-mail is confidential and intended only for the addressee. DISC1\n",
       {{"OWN1", In::Own}, {"SIG1", In::Signature}, {"DISC1", In::Signature}}},
      {"a Japanese disclaimer closing the text",
       "OWN1\n\n本メールは機密情報を含みます。誤って受信された場合は削除してください。DISC1\n",
       {{"OWN1", In::Own}, {"DISC1", In::Signature}}},
      {"the sender's own marking is not a disclaimer",
       "OWN1\n\n本メールは社外秘です。第三者への転送はご遠慮ください。OWN2\n", {{"OWN1", In::Own}, {"OWN2", In::Own}}},
      {"a disclaimer in the middle of the text is the sender's own",
       "CONFIDENTIALITY NOTICE OWN1\n\nHere is the list. OWN2\n", {{"OWN1", In::Own}, {"OWN2", In::Own}}},
  };
  for (const Case& c : cases) check_case(c);
}

TEST_CASE("a list under a separator stays the sender's own words") {
  std::string list = "顧客一覧です。OWN1\n-- \n";
  for (int i = 0; i < 25; ++i) list += "顧客" + std::to_string(i) + " TEL 03-1234-" + std::to_string(1000 + i) + "\n";
  const TextLayers l = split_layers(list);
  CHECK(l.signature.empty());
  CHECK(has(l.own, "顧客24"));

  std::string dense = "OWN1\n==========\n";  // few lines, but more digits than a signature has
  for (int i = 0; i < 8; ++i) dense += "TEL 03-1234-5678 / 090-1234-5678\n";
  CHECK(split_layers(dense).signature.empty());
}

TEST_CASE("empty text, lone markers and CRLF lines split without surprises") {
  CHECK(split_layers("").own.empty());
  CHECK(split_layers("-- ").signature.empty());  // a delimiter with nothing below it
  const TextLayers crlf = split_layers("OWN1\r\n> QUOTED1\r\n");
  CHECK(crlf.own == "OWN1\n");
  CHECK(crlf.quoted == "> QUOTED1\n");
  const TextLayers only = split_layers("On Mon, Tanaka wrote:");
  CHECK(only.own.empty());
  CHECK(only.quoted == "On Mon, Tanaka wrote:\n");
}
