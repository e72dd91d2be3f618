// Action plans: the To/Cc -> Bcc rewrite, tags, forged headers and reject.
#include <doctest/doctest.h>

#include <algorithm>

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

TEST_CASE("the added To and verdict header come after every deletion (Sendmail inserts an added field first)") {
  auto m = parse("X-Preflight-Verdict: accept\r\nTo: x@partner.com\r\nCc: y@partner.com\r\nSubject: s\r\n\r\nb\r\n");
  auto p = action::plan(verdict(policy::Action::Bcc), m, org());
  auto at = [&](Kind k, const std::string& name) {
    for (std::size_t i = 0; i < p.edits.size(); ++i)
      if (p.edits[i].kind == k && p.edits[i].name == name) return static_cast<int>(i);
    return -1;
  };
  REQUIRE(at(Kind::Add, "To") >= 0);
  REQUIRE(at(Kind::Add, "X-Preflight-Verdict") >= 0);
  for (const char* name : {"To", "Cc", "X-Preflight-Verdict"}) {
    REQUIRE(at(Kind::Delete, name) >= 0);
    CHECK(at(Kind::Delete, name) < at(Kind::Add, "To"));
    CHECK(at(Kind::Delete, name) < at(Kind::Add, "X-Preflight-Verdict"));
  }
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

TEST_CASE("many forged X-Preflight headers are each deleted with their per-name index, descending") {
  // Thousands of forged headers interleaved with others: each is deleted with the 1-based index of its
  // name (counted case-insensitively, as libmilter does), and all deletions come last, highest first.
  constexpr int kRounds = 3000;
  std::string raw = "Subject: s\r\n";
  std::vector<std::pair<std::string, int>> expected;  // (name as written, index)
  int verdicts = 0, approved = 0, to_count = 0;
  for (int i = 0; i < kRounds; ++i) {
    std::string vname = i % 3 == 1 ? "x-preflight-verdict" : (i % 3 == 2 ? "X-PREFLIGHT-VERDICT" : "X-Preflight-Verdict");
    raw += vname + ": accept\r\nReceived: from r" + std::to_string(i) + "\r\n";
    expected.emplace_back(vname, ++verdicts);
    if (i % 5 == 0) {
      raw += "X-Preflight-Approved: yes\r\n";
      expected.emplace_back("X-Preflight-Approved", ++approved);
    }
    if (i % 100 == 0) {
      raw += "To: x" + std::to_string(i) + "@partner.com\r\n";
      ++to_count;
    }
  }
  raw += "\r\nb\r\n";
  auto m = parse(raw);
  REQUIRE(m.headers.size() == static_cast<std::size_t>(1 + 2 * kRounds + approved + to_count));

  auto deletes_of = [](const action::Plan& p) {
    std::vector<action::HeaderEdit> out;
    // Changes, then deletions, then additions (Sendmail inserts an added field before the first of its name).
    int stage = 0;
    bool ordered = true;
    for (const auto& e : p.edits) {
      int s = e.kind == Kind::Change ? 0 : e.kind == Kind::Delete ? 1 : 2;
      if (s < stage) ordered = false;
      stage = s;
      if (e.kind == Kind::Delete) out.push_back(e);
    }
    CHECK(ordered);
    return out;
  };
  auto descending = [](const std::vector<action::HeaderEdit>& d) {
    for (std::size_t i = 1; i < d.size(); ++i)
      if (d[i].index > d[i - 1].index) return false;
    return true;
  };

  auto p = action::plan(verdict(policy::Action::Accept), m, org());
  auto dels = deletes_of(p);
  REQUIRE(dels.size() == expected.size());
  CHECK(descending(dels));
  CHECK(has(p, Kind::Delete, "X-Preflight-Verdict", 1));
  CHECK(has(p, Kind::Delete, "x-preflight-verdict", 2));
  CHECK(has(p, Kind::Delete, "X-PREFLIGHT-VERDICT", 3));
  CHECK(has(p, Kind::Delete, "X-Preflight-Verdict", kRounds / 2 + 1));  // round 1500: 1500 % 3 == 0
  CHECK(has(p, Kind::Delete, "x-preflight-verdict", kRounds / 2 + 2));  // round 1501: 1501 % 3 == 1
  CHECK_FALSE(has(p, Kind::Delete, "x-preflight-verdict", kRounds / 2 + 1));
  CHECK(has(p, Kind::Delete, "X-Preflight-Verdict", kRounds - 2));       // round 2997 % 3 == 0
  CHECK(has(p, Kind::Delete, "X-PREFLIGHT-VERDICT", kRounds));           // round 2999 % 3 == 2
  CHECK(has(p, Kind::Delete, "X-Preflight-Approved", 1));
  CHECK(has(p, Kind::Delete, "X-Preflight-Approved", approved));
  CHECK(dels.front().index == kRounds);
  CHECK(dels.back().index == 1);
  CHECK(has(p, Kind::Add, "X-Preflight-Verdict", 0, "accept; rules=r1"));

  std::vector<std::pair<std::string, int>> got;
  for (const auto& e : dels) got.emplace_back(e.name, e.index);
  std::sort(got.begin(), got.end());
  std::sort(expected.begin(), expected.end());
  CHECK(got == expected);

  // With a Bcc rewrite the To deletions join the same descending run.
  auto pb = action::plan(verdict(policy::Action::Bcc), m, org());
  auto bdels = deletes_of(pb);
  CHECK(bdels.size() == expected.size() + static_cast<std::size_t>(to_count));
  CHECK(descending(bdels));
  CHECK(has(pb, Kind::Delete, "To", 1));
  CHECK(has(pb, Kind::Delete, "To", to_count));
  CHECK(has(pb, Kind::Delete, "X-PREFLIGHT-VERDICT", kRounds));
  CHECK(has(pb, Kind::Add, "To", 0, "undisclosed-recipients:;"));
}

TEST_CASE("shown_to_cc gives the To/Cc addresses as the mail leaves, after the plan's own edits") {
  struct Row {
    const char* what;
    policy::Action action;
    policy::BccScope scope;
    std::vector<std::string> shown;
  };
  const char* raw = "To: Hanako <hanako@example.co.jp>, x@partner.com\r\nCc: y@other.jp\r\nTo: w@p.jp\r\n"
                    "X-Preflight-Verdict: forged\r\nSubject: s\r\n\r\nb\r\n";
  for (const Row& row : {Row{"accepted: as written", policy::Action::Accept, policy::BccScope::External,
                             {"hanako@example.co.jp", "x@partner.com", "y@other.jp", "w@p.jp"}},
                         Row{"Bcc of external addresses: the internal one stays", policy::Action::Bcc,
                             policy::BccScope::External, {"hanako@example.co.jp"}},
                         Row{"Bcc of everyone: undisclosed-recipients shows nobody", policy::Action::Bcc,
                             policy::BccScope::All, {}}}) {
    INFO(row.what);
    auto m = parse(raw);
    std::vector<std::string> got;
    for (const auto& a : action::shown_to_cc(m, action::plan(verdict(row.action, row.scope), m, org()).edits))
      got.push_back(a.addr());
    CHECK(got == row.shown);
  }
}

TEST_CASE("shown_to_cc reads changed and added To/Cc values, as stored edits of a held mail carry them") {
  auto m = parse("To: a@x.jp, b@y.jp\r\nCc: c@z.jp\r\nSubject: s\r\n\r\nb\r\n");
  std::vector<action::HeaderEdit> edits = {{Kind::Change, "to", 1, "\"B\" <b@y.jp>"},
                                           {Kind::Add, "Cc", 0, "d@w.jp"},
                                           {Kind::Add, "Subject", 0, "e@v.jp"},
                                           {Kind::Delete, "CC", 1, ""}};
  std::vector<std::string> got;
  for (const auto& a : action::shown_to_cc(m, edits)) got.push_back(a.addr());
  CHECK(got == std::vector<std::string>{"b@y.jp", "d@w.jp"});
}

TEST_CASE("bcc removes external addresses from Resent-To and Resent-Cc too, and shown_to_cc counts them") {
  auto m = parse("To: a@example.co.jp\r\nResent-To: b@example.co.jp, x@partner.com\r\nResent-Cc: y@other.jp\r\n"
                 "Subject: s\r\n\r\nb\r\n");
  std::vector<std::string> before;
  for (const auto& a : action::shown_to_cc(m, {})) before.push_back(a.addr());
  CHECK(before == std::vector<std::string>{"a@example.co.jp", "b@example.co.jp", "x@partner.com", "y@other.jp"});
  auto p = action::plan(verdict(policy::Action::Bcc), m, org());
  CHECK(has(p, Kind::Change, "Resent-To", 1, "b@example.co.jp"));
  CHECK(has(p, Kind::Delete, "Resent-Cc", 1));
  CHECK_FALSE(has(p, Kind::Add, "To", 0));
  std::vector<std::string> after;
  for (const auto& a : action::shown_to_cc(m, p.edits)) after.push_back(a.addr());
  CHECK(after == std::vector<std::string>{"a@example.co.jp", "b@example.co.jp"});
}
