// Latency benchmark for the web queue's store queries: fills a fresh SQLite store with N generated held
// messages (default 10,000), then times Store::search + count (one page request of the web queue),
// stats and get, and prints median and maximum milliseconds as a Markdown table. Also prints insert
// throughput and the database file size. See bench/README.md for the command.
#include <stdlib.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "preflight/store/store.hpp"

namespace store = preflight::store;
namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::int64_t kNow = 1'735'689'600;  // 2025-01-01 00:00 UTC: "now" for every generated row
constexpr std::int64_t kDay = 86'400;

// ---------------------------------------------------------------------------------------------------
// Generated organisation: 5 departments with a manager and a deputy each, 20 senders.

struct Department {
  const char* name;  // as the directory has it
  const char* key;   // for addresses
};
constexpr std::array<Department, 5> kDepartments{
    {{"営業部", "sales"}, {"経理部", "accounting"}, {"人事部", "hr"}, {"開発部", "dev"}, {"法務部", "legal"}}};

struct Person {
  const char* surname;
  const char* kanji;
};
constexpr std::array<Person, 20> kSenders{{
    {"sato", "佐藤 健"},       {"suzuki", "鈴木 一郎"},   {"takahashi", "高橋 美咲"}, {"tanaka", "田中 太郎"},
    {"watanabe", "渡辺 恵"},   {"ito", "伊藤 直樹"},      {"yamamoto", "山本 彩"},    {"nakamura", "中村 翔"},
    {"kobayashi", "小林 優"},  {"kato", "加藤 大輔"},     {"yoshida", "吉田 結衣"},   {"yamada", "山田 花子"},
    {"sasaki", "佐々木 誠"},   {"yamaguchi", "山口 学"},  {"matsumoto", "松本 香"},   {"inoue", "井上 拓也"},
    {"kimura", "木村 真理"},   {"hayashi", "林 俊介"},    {"shimizu", "清水 愛"},     {"yamazaki", "山崎 剛"},
}};

constexpr std::array<const char*, 10> kExternalDomains{
    "abc-shoji.co.jp", "tokyo-trading.jp", "partner.example.com", "client-a.co.jp", "gmail.com",
    "osaka-kogyo.co.jp", "global-supply.com", "yokohama-bank.jp", "design-studio.net", "abc-shojl.co.jp"};
constexpr std::array<const char*, 12> kLocalParts{"info", "sales", "k.tanaka", "m.suzuki", "support", "h.kimura",
                                                  "contact", "y.ito", "order", "a.mori", "keiri", "s.ogawa"};

std::string sender_address(std::size_t i) { return std::string(kSenders[i].surname) + "@example.co.jp"; }
const Department& department_of(std::size_t sender) { return kDepartments[sender % kDepartments.size()]; }
std::string manager_of(const Department& d) { return std::string("manager.") + d.key + "@example.co.jp"; }
std::string deputy_of(const Department& d) { return std::string("deputy.") + d.key + "@example.co.jp"; }

// ---------------------------------------------------------------------------------------------------
// Generated mail fields.

struct Rule {
  const char* id;
  const char* description;
  const char* action;
  const char* fact;
};
constexpr std::array<Rule, 9> kRules{{
    {"external-recipient", "社外宛て / Addressed outside the organisation", "approve", "recipients.external"},
    {"first-time-recipient", "初めて送る社外アドレス / First mail to this external address", "approve",
     "recipients.first_time"},
    {"visible-external-to-bcc", "社外宛先が互いに見えている: Bccに変換 / External recipients visible to each other",
     "bcc", "recipients.visible_external"},
    {"lookalike-recipient", "既知のドメインに似たドメイン / Domain resembling a known one", "approve",
     "recipients.lookalike"},
    {"first-time-domain-with-attachment", "初めての組織へ添付ファイル / Attachment to a new organisation", "approve",
     "recipients.first_time_domains"},
    {"my-number", "マイナンバーらしき番号 / Possible My Number", "approve", "content.my_number"},
    {"card-number", "クレジットカード番号らしき番号 / Possible card number", "approve", "content.card_number"},
    {"ppap", "パスワード付きZIPとパスワードの別送 / Encrypted ZIP with password mail", "hold", "attachments.ppap"},
    {"important-recipient", "重要顧客宛て: 上長承認 / Important customer: supervisor approves", "approve",
     "recipients.important"},
}};

constexpr std::array<const char*, 12> kSubjects{
    "【見積】{n}月度 お見積りのご送付",  "請求書送付のご案内（{n}月分）",   "打ち合わせ日程のご相談 #{n}",
    "契約書ドラフトの件（第{n}版）",     "Re: 新製品のご紹介 {n}",         "【社外秘】組織変更のお知らせ {n}",
    "納期変更のお願い（注文番号 {n}）", "Quotation for project {n}",       "Invoice {n} attached",
    "Re: Meeting schedule next week {n}", "Fwd: Contract draft v{n}",      "Shipping update for order #{n}"};

constexpr std::array<const char*, 6> kAttachments{"見積書_2024.xlsx", "invoice.pdf", "資料一式.zip",
                                                  "契約書ドラフト.docx", "製品カタログ.pdf", "売上集計.xlsm"};

std::string subject(std::mt19937& rng) {
  std::string s = kSubjects[rng() % kSubjects.size()];
  std::size_t at = s.find("{n}");
  return s.replace(at, 3, std::to_string(1 + rng() % 5000));
}

// 60 % of mail goes to 1–3 recipients, 30 % to 4–10, 10 % to 11–30.
int recipient_count(std::mt19937& rng) {
  int r = static_cast<int>(rng() % 10);
  if (r < 6) return 1 + static_cast<int>(rng() % 3);
  if (r < 9) return 4 + static_cast<int>(rng() % 7);
  return 11 + static_cast<int>(rng() % 20);
}

std::vector<std::string> recipients(std::mt19937& rng) {
  std::vector<std::string> out;
  int n = recipient_count(rng);
  for (int i = 0; i < n; ++i) {
    bool internal = rng() % 4 == 0;
    std::string domain = internal ? "example.co.jp" : kExternalDomains[rng() % kExternalDomains.size()];
    out.push_back(std::string(kLocalParts[rng() % kLocalParts.size()]) + std::to_string(rng() % 100) + "@" + domain);
  }
  return out;
}

json recipient_marks(std::mt19937& rng, const std::string& address) {
  bool external = address.find("@example.co.jp") == std::string::npos;
  return {{"address", address}, {"name", external ? "ご担当者様" : "社内"}, {"external", external},
          {"first_time", external && rng() % 5 == 0}, {"lookalike", address.find("shojl") != std::string::npos},
          {"mailing_list", rng() % 20 == 0}};
}

// 1–3 distinct rules; the first few rules fire most often.
std::vector<const Rule*> fired_rules(std::mt19937& rng) {
  std::vector<const Rule*> out;
  int n = 1 + static_cast<int>(rng() % 3);
  while (static_cast<int>(out.size()) < n) {
    std::size_t i = std::min(rng() % kRules.size(), rng() % kRules.size());
    if (std::find(out.begin(), out.end(), &kRules[i]) == out.end()) out.push_back(&kRules[i]);
  }
  return out;
}

std::string domains_of(const std::vector<std::string>& rcpts) {
  std::string out;
  for (const auto& r : rcpts) {
    std::string domain = r.substr(r.find('@') + 1);
    if (out.find(domain) == std::string::npos) out += (out.empty() ? "" : ", ") + domain;
  }
  return out;
}

json rules_json(std::mt19937& rng, const std::vector<std::string>& rcpts) {
  json rules = json::array();
  for (const Rule* r : fired_rules(rng)) {
    json facts = {{r->fact, r->fact[0] == 'r' ? rcpts.front() : "true"},
                  {"recipients.external", std::to_string(rcpts.size())},
                  {"recipients.external_domains", domains_of(rcpts)}, {"message.size", std::to_string(rng() % 900'000)}};
    rules.push_back({{"id", r->id}, {"description", r->description}, {"action", r->action}, {"facts", facts}});
  }
  return rules;
}

// What the queue stores for approval fatigue: the external domains (the generated ones are organisational).
std::vector<std::string> external_domains(const std::vector<std::string>& rcpts) {
  std::vector<std::string> out;
  for (const auto& r : rcpts) {
    std::string domain = r.substr(r.find('@') + 1);
    if (domain != "example.co.jp" && std::find(out.begin(), out.end(), domain) == out.end()) out.push_back(domain);
  }
  return out;
}

std::string details_json(std::mt19937& rng, std::size_t sender, const std::vector<std::string>& rcpts,
                         const std::vector<std::string>& approvers) {
  json marks = json::array(), headers = json::array(), attachments = json::array();
  for (const auto& r : rcpts) marks.push_back(recipient_marks(rng, r));
  for (std::size_t i = 0; i < rcpts.size() && i < 8; ++i) {  // To/Cc as seen; the rest went Bcc
    json h = marks[i];
    h["header"] = i == 0 ? "To" : "Cc";
    headers.push_back(std::move(h));
  }
  for (std::size_t i = rng() % 4; i > 0; --i) attachments.push_back(kAttachments[rng() % kAttachments.size()]);
  json deputies = json::array({deputy_of(department_of(sender))});
  return json{{"rules", rules_json(rng, rcpts)}, {"recipients", marks}, {"header_recipients", headers},
              {"attachments", attachments}, {"language", "ja"}, {"charset", "ISO-2022-JP"},
              {"deputies", approvers.size() > 1 ? deputies : json::array()},
              {"client", "10.1.2." + std::to_string(rng() % 250)}, {"department", department_of(sender).name},
              {"from_name", kSenders[sender].kanji}, {"external_domains", external_domains(rcpts)}}
      .dump();
}

std::vector<std::string> approvers(std::mt19937& rng, std::size_t sender) {
  const Department& d = department_of(sender);
  std::vector<std::string> out{manager_of(d)};
  int n = 1 + static_cast<int>(rng() % 3);
  if (n >= 2) out.push_back(deputy_of(d));
  if (n >= 3) out.push_back("compliance@example.co.jp");
  return out;
}

// 80 % held; the rest decided a few minutes to two days later: approved, rejected or released.
void decide(std::mt19937& rng, store::HeldMessage& m) {
  int r = static_cast<int>(rng() % 100);
  if (r < 80) return;
  m.state = r < 85 ? store::State::Approved : r < 91 ? store::State::Rejected : store::State::Released;
  m.decided_by = m.approvers.empty() ? m.sender : m.approvers.front();
  m.decided_at = std::min(kNow, m.created_at + 120 + static_cast<std::int64_t>(rng() % (2 * kDay)));
  if (m.state == store::State::Released) m.released_at = m.decided_at + 5;
}

std::string new_id(std::mt19937_64& rng) {
  static const char* hex = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 20; ++i) id += hex[rng() % 16];
  return id;
}

store::HeldMessage make_message(std::mt19937& rng, std::mt19937_64& ids) {
  store::HeldMessage m;
  std::size_t sender = rng() % kSenders.size();
  m.id = new_id(ids);
  m.kind = rng() % 10 == 0 ? store::HoldKind::Delay : store::HoldKind::Approval;
  m.queue_id = "4" + new_id(ids).substr(0, 10);
  m.sender = sender_address(sender);
  m.recipients = recipients(rng);
  m.subject = subject(rng);
  m.size = 2'000 + static_cast<std::int64_t>(rng() % 3'000'000);
  m.created_at = kNow - static_cast<std::int64_t>(rng() % (60 * kDay));
  if (m.kind == store::HoldKind::Delay) m.due_at = m.created_at + 300;
  else m.approvers = approvers(rng, sender), m.expires_at = m.created_at + 3 * kDay;
  m.details_json = details_json(rng, sender, m.recipients, m.approvers);
  m.edits_json = R"([{"kind":0,"name":"X-Preflight-Verdict","index":0,"value":"approve"}])";
  decide(rng, m);
  return m;
}

// ---------------------------------------------------------------------------------------------------
// Filling and timing.

template <class T>
const T& must(const preflight::util::Result<T>& r, const char* what) {
  if (!r) {
    std::fprintf(stderr, "queue_bench: %s: %s\n", what, r.error().c_str());
    std::exit(1);
  }
  return *r;
}

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct Filled {
  std::vector<std::string> ids;
  std::vector<std::size_t> details_sizes;
  double seconds = 0;
};

Filled fill(store::Store& st, int n) {
  std::mt19937 rng(7);
  std::mt19937_64 ids(11);
  Filled f;
  auto start = Clock::now();
  for (int i = 0; i < n; ++i) {
    store::HeldMessage m = make_message(rng, ids);
    f.details_sizes.push_back(m.details_json.size());
    must(st.insert_held(m, {m.id, m.created_at, "milter", "10.1.2.3", "hold", "", "held", "rules=bench"}), "insert");
    f.ids.push_back(m.id);
  }
  f.seconds = ms_since(start) / 1000;
  return f;
}

struct Timing {
  double median = 0, max = 0;
};

Timing summarise(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  std::size_t mid = ms.size() / 2;
  return {ms.size() % 2 ? ms[mid] : (ms[mid - 1] + ms[mid]) / 2, ms.back()};
}

struct PageTiming {
  Timing search, count, page;
  std::int64_t matches = 0;
};

// One web queue page request is search (the rows) + count (the total), as the daemon's list handler does.
PageTiming time_page(store::Store& st, const store::HeldQuery& q, int runs) {
  std::vector<double> search, count, page;
  PageTiming t;
  for (int i = 0; i < runs; ++i) {
    auto start = Clock::now();
    must(st.search(q), "search");
    double s = ms_since(start);
    auto mid = Clock::now();
    t.matches = must(st.count(q), "count");
    double c = ms_since(mid);
    search.push_back(s), count.push_back(c), page.push_back(s + c);
  }
  t.search = summarise(search), t.count = summarise(count), t.page = summarise(page);
  return t;
}

Timing time_calls(int runs, const std::function<void(int)>& call) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    auto start = Clock::now();
    call(i);
    ms.push_back(ms_since(start));
  }
  return summarise(ms);
}

// ---------------------------------------------------------------------------------------------------
// The cases and the report.

struct Case {
  std::string name;
  store::HeldQuery query;
};

store::HeldQuery query(std::function<void(store::HeldQuery&)> set) {
  store::HeldQuery q;
  set(q);
  return q;
}

std::vector<Case> page_cases(int n) {
  std::string scope = manager_of(kDepartments[0]);
  std::vector<Case> cases{
      {"first page, newest first, all states", query([](auto&) {})},
      {"first page, state held", query([](auto& q) { q.state = store::State::Held; })},
      {"first page, approver scope (" + scope + ")", query([&](auto& q) { q.approver = scope; })},
      {"scope + state held", query([&](auto& q) { q.approver = scope, q.state = store::State::Held; })},
      {"text \"見積\" (Japanese subject)", query([](auto& q) { q.text = "見積"; })},
      {"text \"invoice\" (English, any case)", query([](auto& q) { q.text = "invoice"; })},
      {"text with no match", query([](auto& q) { q.text = "該当なしzzz"; })},
      {"reason \"lookalike-recipient\"", query([](auto& q) { q.reason = "lookalike-recipient"; })},
      {"department \"経理部\"", query([](auto& q) { q.department = "経理部"; })},
      {"sender (exact)", query([](auto& q) { q.sender = "Tanaka@example.co.jp"; })},
      {"sort by sender", query([](auto& q) { q.sort = "sender", q.descending = false; })},
      {"sort by subject", query([](auto& q) { q.sort = "subject", q.descending = false; })},
      {"sort by department", query([](auto& q) { q.sort = "department", q.descending = false; })},
  };
  int last = std::max(0, n - 50);
  if (last > 9'950) cases.push_back({"page 200 (offset 9950)", query([](auto& q) { q.offset = 9'950; })});
  cases.push_back({"last page (offset " + std::to_string(last) + ")", query([&](auto& q) { q.offset = last; })});
  return cases;
}

void print_page_row(const std::string& name, const PageTiming& t) {
  std::printf("| %s | %lld | %.1f | %.1f | %.1f | %.1f |\n", name.c_str(), static_cast<long long>(t.matches),
              t.search.median, t.count.median, t.page.median, t.page.max);
}

void print_other_row(const std::string& name, const Timing& t, int decimals) {
  std::printf("| %s | – | – | – | %.*f | %.*f |\n", name.c_str(), decimals, t.median, decimals, t.max);
}

// Approval fatigue and approver load: a decision held -> approved records its approvals in the same
// transaction (held -> rejected records none: the difference is the recording), the engine's count of past
// approvals for one sender, domain and rule, and the load table of the dashboard.
void run_approvals(store::Store& st, int runs, int decisions) {
  auto held = must(st.list({store::State::Held, "", 2 * decisions, 0}), "list");
  if (held.size() < static_cast<std::size_t>(2 * decisions)) return;
  auto decide = [&](std::size_t i, store::State to) {
    must(st.transition(held[i].id, store::State::Held, to, {"", kNow, "bench@example.co.jp", "", "decide", "", "", ""}),
         "transition");
  };
  auto n = static_cast<std::size_t>(decisions);
  print_other_row("decide: held -> rejected, " + std::to_string(n) + " messages",
                  time_calls(decisions, [&](int i) { decide(n + i, store::State::Rejected); }), 3);
  print_other_row("decide: held -> approved (records approvals), " + std::to_string(n) + " messages",
                  time_calls(decisions, [&](int i) { decide(i, store::State::Approved); }), 3);
  std::mt19937 rng(5);
  print_other_row("approvals_since(sender, domain, rule), " + std::to_string(decisions) + " random",
                  time_calls(decisions, [&](int) {
                    must(st.approvals_since(sender_address(rng() % kSenders.size()),
                                            kExternalDomains[rng() % kExternalDomains.size()],
                                            kRules[rng() % kRules.size()].id, kNow - 30 * kDay),
                         "approvals_since");
                  }), 3);
  print_other_row("approver_load, 30 days",
                  time_calls(runs, [&](int) { must(st.approver_load(kNow - 30 * kDay), "approver_load"); }), 1);
}

void run_queries(store::Store& st, const Filled& f, int n, int runs) {
  std::printf("\n| query (%d runs each) | matches | search ms | count ms | page ms (median) | page ms (max) |\n", runs);
  std::printf("|---|---:|---:|---:|---:|---:|\n");
  for (const auto& c : page_cases(n)) print_page_row(c.name, time_page(st, c.query, runs));
  std::int64_t since = kNow - 30 * kDay;
  print_other_row("stats, 30 days, everyone", time_calls(runs, [&](int) { must(st.stats({}, since), "stats"); }), 1);
  store::HeldQuery scoped;
  scoped.approver = manager_of(kDepartments[0]);
  print_other_row("stats, 30 days, approver scope",
                  time_calls(runs, [&](int) { must(st.stats(scoped, since), "stats"); }), 1);
  std::mt19937 rng(3);
  int gets = std::max(runs, 200);
  print_other_row("get(id), " + std::to_string(gets) + " random ids", time_calls(gets, [&](int) {
                    must(st.get(f.ids[rng() % f.ids.size()]), "get");
                  }), 3);
  run_approvals(st, runs, gets);
}

std::uintmax_t size_of(const fs::path& p) {
  std::error_code ec;
  auto n = fs::file_size(p, ec);
  return ec ? 0 : n;
}

fs::path make_temp_dir() {
  std::string templ = (fs::temp_directory_path() / "queue_bench-XXXXXX").string();
  if (!mkdtemp(templ.data())) {
    std::perror("queue_bench: mkdtemp");
    std::exit(1);
  }
  return templ;
}

void report_fill(const Filled& f, int n, const fs::path& db) {
  std::printf("rows: %d, insert_held: %.1f s, %.0f rows/s (one transaction and fsync per row, as the milter does)\n",
              n, f.seconds, n / f.seconds);
  std::vector<std::size_t> sizes = f.details_sizes;
  std::sort(sizes.begin(), sizes.end());
  auto at = [&](double p) { return sizes[static_cast<std::size_t>(p * (sizes.size() - 1))]; };
  std::printf("details_json bytes: min %zu, 5 %% %zu, median %zu, 95 %% %zu, max %zu\n", at(0), at(0.05), at(0.5),
              at(0.95), at(1));
  std::printf("database file: %.1f MB\n", size_of(db) / 1e6);
}

}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 10'000;
  int runs = argc > 2 ? std::atoi(argv[2]) : 20;
  bool keep = argc > 3;  // a database path given: created there and kept for inspection
  if (n < 1 || runs < 1 || (keep && fs::exists(argv[3]))) {
    std::fprintf(stderr, "usage: queue_bench [rows (10000)] [runs per query (20)] [new database file to keep]\n");
    return 2;
  }
  fs::path dir = keep ? fs::path() : make_temp_dir();
  fs::path db = keep ? fs::path(argv[3]) : dir / "preflight.db";
  Filled f;
  {
    auto st = must(store::open_sqlite(db.string()), "open");
    f = fill(*st, n);
  }  // closed: the WAL is checkpointed into the file
  report_fill(f, n, db);
  {
    auto st = must(store::open_sqlite(db.string()), "reopen");  // a fresh connection, as after a restart
    run_queries(*st, f, n, runs);
  }
  if (!keep) fs::remove_all(dir);
  return 0;
}
