// Action plans: the To/Cc -> Bcc rewrite, tags, forged headers and reject.
#include <doctest/doctest.h>

#include "preflight/action/plan.hpp"
#include "preflight/mail/parse.hpp"

using namespace preflight;
using Kind = action::HeaderEdit::Kind;

namespace {
mail::Message parse(const std::string& raw) {
  auto r = mail::parse_message(raw);
  REQUIRE(r.ok());
  return *r;
}

detect::Organisation org() {
  detect::Organisation o;
  o.internal_domains = {"example.co.jp"};
  return o;
}

policy::Verdict verdict(policy::Action a, policy::BccScope scope = policy::BccScope::External) {
  policy::Verdict v;
  v.action = a;
  v.bcc = a == policy::Action::Bcc;
  v.bcc_scope = scope;
  v.reasons.push_back({"r1", "", a, policy::Mode::Enforce, {}});
  return v;
}

bool has(const action::Plan& p, Kind k, const std::string& name, int index, const std::string& value = "*") {
  for (const auto& e : p.edits)
    if (e.kind == k && e.name == name && e.index == index && (value == "*" || e.value == value)) return true;
  return false;
}
}  // namespace

TEST_CASE("bcc removes external addresses from To and Cc and never adds a Bcc header") {
  auto m = parse("To: a@example.co.jp, x@partner.com\r\nCc: y@other.jp\r\nSubject: s\r\n\r\nb\r\n");
  auto p = action::plan(verdict(policy::Action::Bcc), m, org());
  CHECK(p.disposition == action::Disposition::Continue);
  CHECK(has(p, Kind::Change, "To", 1, "a@example.co.jp"));
  CHECK(has(p, Kind::Delete, "Cc", 1));
  CHECK_FALSE(has(p, Kind::Add, "To", 0));
  for (const auto& e : p.edits) CHECK(e.name != "Bcc");
  CHECK(has(p, Kind::Add, "X-Preflight-Verdict", 0, "bcc; rules=r1"));
}

TEST_CASE("bcc with only external To recipients leaves To: undisclosed-recipients") {
  auto m = parse("To: x@partner.com, z@partner.com\r\nTo: w@p.jp\r\nSubject: s\r\n\r\nb\r\n");
  auto p = action::plan(verdict(policy::Action::Bcc), m, org());
  CHECK(has(p, Kind::Delete, "To", 1));
  CHECK(has(p, Kind::Delete, "To", 2));
  CHECK(has(p, Kind::Add, "To", 0, "undisclosed-recipients:;"));
  // deletions in descending index order so no deletion shifts another
  int last = 1000;
  for (const auto& e : p.edits)
    if (e.kind == Kind::Delete && e.name == "To") {
      CHECK(e.index < last);
      last = e.index;
    }
}

TEST_CASE("bcc scope all removes internal addresses too") {
  auto m = parse("To: a@example.co.jp, x@partner.com\r\nSubject: s\r\n\r\nb\r\n");
  auto p = action::plan(verdict(policy::Action::Bcc, policy::BccScope::All), m, org());
  CHECK(has(p, Kind::Delete, "To", 1));
  CHECK(has(p, Kind::Add, "To", 0, "undisclosed-recipients:;"));
}

TEST_CASE("a Japanese display name survives the rewrite encoded") {
  auto m = parse("To: =?UTF-8?B?5bGx55Sw?= <a@example.co.jp>, x@partner.com\r\n\r\nb\r\n");
  auto p = action::plan(verdict(policy::Action::Bcc), m, org());
  CHECK(has(p, Kind::Change, "To", 1, "=?UTF-8?B?5bGx55Sw?= <a@example.co.jp>"));
}

TEST_CASE("forged X-Preflight headers from the sender are removed") {
  auto m = parse("X-Preflight-Verdict: accept\r\nTo: a@example.co.jp\r\nx-preflight-approved: yes\r\n"
                 "X-Preflight-Verdict: accept\r\n\r\nb\r\n");
  auto p = action::plan(verdict(policy::Action::Accept), m, org());
  CHECK(has(p, Kind::Delete, "X-Preflight-Verdict", 1));
  CHECK(has(p, Kind::Delete, "X-Preflight-Verdict", 2));
  CHECK(has(p, Kind::Delete, "x-preflight-approved", 1));
  CHECK(has(p, Kind::Add, "X-Preflight-Verdict", 0, "accept; rules=r1"));
}

TEST_CASE("tag adds a tag header and prefixes the subject") {
  auto m = parse("To: x@partner.com\r\nSubject: =?UTF-8?B?6KaL56mN?=\r\n\r\nb\r\n");
  auto v = verdict(policy::Action::Tag);
  v.tags = {"external"};
  v.subject_prefix = "[社外]";
  auto p = action::plan(v, m, org());
  CHECK(has(p, Kind::Add, "X-Preflight-Tag", 0, "external"));
  CHECK(has(p, Kind::Change, "Subject", 1, "=?UTF-8?B?W+ekvuWkll0=?= =?UTF-8?B?6KaL56mN?="));
}

TEST_CASE("a held message keeps its release edits: approve then deliver as Bcc") {
  auto m = parse("To: x@partner.com, y@other.jp\r\nSubject: s\r\n\r\nb\r\n");
  auto v = verdict(policy::Action::Approve);
  v.bcc = true;
  auto p = action::plan(v, m, org());
  CHECK(p.disposition == action::Disposition::Hold);
  CHECK(has(p, Kind::Delete, "To", 1));
  CHECK(has(p, Kind::Add, "To", 0, "undisclosed-recipients:;"));
  CHECK(has(p, Kind::Add, "X-Preflight-Verdict", 0, "approve; rules=r1"));
}

TEST_CASE("edits applied to raw bytes change only the header block") {
  std::string raw = "Received: x\r\nTo: a@x.com,\r\n\tb@y.com\r\nSubject: hi\r\nTo: c@z.com\r\n"
                    "X-Preflight-Verdict: forged\r\n\r\nTo: not a header\r\n.body\r\n";
  std::vector<action::HeaderEdit> edits = {{Kind::Change, "to", 2, "kept@example.co.jp"},
                                           {Kind::Add, "X-Preflight-Verdict", 0, "bcc"},
                                           {Kind::Delete, "X-Preflight-Verdict", 1, ""},
                                           {Kind::Delete, "To", 1, ""}};
  auto json = action::edits_to_json(edits);
  auto back = action::edits_from_json(json);
  REQUIRE(back);
  CHECK(action::apply_edits(raw, *back) ==
        "Received: x\r\nSubject: hi\r\nto: kept@example.co.jp\r\nX-Preflight-Verdict: bcc\r\n"
        "\r\nTo: not a header\r\n.body\r\n");
  CHECK_FALSE(action::edits_from_json("{\"not\": \"a list\"}"));
  CHECK_FALSE(action::edits_from_json("[{\"kind\": 9, \"name\": \"To\"}]"));
}

TEST_CASE("reject makes no edits and carries the reply text") {
  auto m = parse("To: x@partner.com\r\n\r\nb\r\n");
  auto v = verdict(policy::Action::Reject);
  v.reject_text = "Too many";
  auto p = action::plan(v, m, org());
  CHECK(p.disposition == action::Disposition::Reject);
  CHECK(p.reply_text == "Too many");
  CHECK(p.edits.empty());
}
