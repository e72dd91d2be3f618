// End-of-message cost of mail to many recipients: parse, evaluate (every detector, the shipped checklist
// policy) and plan, against a real SQLite store file holding history, as the milter does at end of
// message. Mails of 200 and 10,000 external recipients (or the counts given) at 150 partner domains:
// half of them addresses the sender wrote to, a quarter addresses colleagues wrote to, a quarter new
// addresses at those domains; To shows the first 200 with display names, the envelope has them all.
// Prints the median and the fastest of several runs per count. See bench/README.md.
//   recipients_bench [N ...]
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "preflight/action/plan.hpp"
#include "preflight/context/known_addresses.hpp"
#include "preflight/context/store_context.hpp"
#include "preflight/engine/engine.hpp"
#include "preflight/mail/address.hpp"
#include "preflight/mail/parse.hpp"
#include "preflight/policy/compile.hpp"
#include "preflight/store/store.hpp"

namespace fs = std::filesystem;
using namespace preflight;

namespace {

using Clock = std::chrono::steady_clock;

// CPU time of this thread, ms: on a shared machine the steadier figure.
double cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

struct Cost {
  double wall_ms, cpu_ms;
};
constexpr int kDomains = 150, kPerDomain = 120;
const std::string kSender = "sales01@example.co.jp";

std::string domain(int d) { return "partner" + std::to_string(d) + (d % 3 == 0 ? ".com" : ".co.jp"); }
std::string address(int d, int i) { return "user" + std::to_string(i) + "@" + domain(d); }

// Each domain: addresses 0-59 written to by the sender, 60-119 by a colleague.
void seed(store::Store& st) {
  std::vector<store::SentMail> mails;
  for (int d = 0; d < kDomains; ++d)
    for (const auto& sender : {kSender, std::string("staff02@example.co.jp")}) {
      store::SentMail m{sender, {}, std::nullopt, 0, 1764547200};
      for (int i = sender == kSender ? 0 : 60, end = i + 60; i < end; ++i)
        m.to.push_back({address(d, i), domain(d), "利用者 " + std::to_string(i)});
      mails.push_back(std::move(m));
    }
  if (auto ok = st.record_sent(mails); !ok) std::fprintf(stderr, "seed: %s\n", ok.error().c_str()), std::exit(1);
}

// Recipient k: known to the sender, known to a colleague, or new, at domain k % kDomains.
std::string recipient(int k) {
  int d = k % kDomains, i = k / kDomains;
  switch (k % 4) {
    case 0: case 1: return address(d, i % 60);
    case 2: return address(d, 60 + i % 60);
    default: return "new" + std::to_string(i) + "@" + domain(d);
  }
}

struct Mail {
  std::string raw;
  mail::Envelope env;
};

Mail make_mail(int n) {
  Mail m;
  m.env.sender = mail::parse_addr_spec(kSender);
  std::string to;
  for (int k = 0; k < n; ++k) {
    std::string a = recipient(k);
    m.env.recipients.push_back(mail::parse_addr_spec(a));
    if (k < 200) to += std::string(to.empty() ? "" : ",\r\n ") + "=?UTF-8?B?5Yip55So6ICF?= <" + a + ">";
  }
  m.raw = "From: =?UTF-8?B?5Za25qWtMDE=?= <" + kSender + ">\r\nTo: " + to +
          "\r\nSubject: =?UTF-8?B?44GU5qGI5YaF?=\r\nDate: Mon, 1 Dec 2025 10:00:00 +0900\r\n"
          "Message-ID: <bench-" + std::to_string(n) + "@example.co.jp>\r\nMIME-Version: 1.0\r\n"
          "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n";
  for (int i = 0; i < 40; ++i) m.raw += "いつもお世話になっております。新製品のご案内をお送りいたします。\r\n";
  return m;
}

Cost once(const policy::Policy& pol, const Mail& m, const std::shared_ptr<store::Store>& st,
            const std::shared_ptr<context::DomainCache>& domains, const std::shared_ptr<context::KnownAddresses>& known) {
  auto start = Clock::now();
  double cpu = cpu_ms();
  auto msg = mail::parse_message(m.raw);
  if (!msg) std::fprintf(stderr, "parse: %s\n", msg.error().c_str()), std::exit(1);
  context::StoreContext ctx(st, domains, pol.organisation.split_window_seconds, 1764550800, known);
  auto ev = engine::evaluate(pol, m.env, *msg, ctx);
  auto plan = action::plan(ev.verdict, *msg, pol.organisation);
  Cost c{std::chrono::duration<double, std::milli>(Clock::now() - start).count(), cpu_ms() - cpu};
  if (!ev.failure.empty()) std::fprintf(stderr, "evaluation failed: %s\n", ev.failure.c_str()), std::exit(1);
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> counts;
  for (int i = 1; i < argc; ++i) counts.push_back(std::atoi(argv[i]));
  if (counts.empty()) counts = {200, 10000};
  auto compiled = policy::compile_files({std::string(PREFLIGHT_SOURCE_DIR) + "/policies/checklist.yaml"});
  if (!compiled.errors.empty()) return std::fprintf(stderr, "%s\n", compiled.errors[0].str().c_str()), 1;
  fs::path dir = fs::temp_directory_path() / ("recipients-bench-" + std::to_string(getpid()));
  fs::create_directories(dir);
  {
    auto st = store::open_sqlite((dir / "preflight.db").string());
    if (!st) return std::fprintf(stderr, "%s\n", st.error().c_str()), 1;
    seed(**st);
    auto domains = std::make_shared<context::DomainCache>();
    auto known = std::make_shared<context::KnownAddresses>();
    std::printf("history: %d domains, %d addresses; policy policies/checklist.yaml\n", kDomains, kDomains * kPerDomain);
    for (int n : counts) {
      Mail m = make_mail(n);
      int runs = n > 1000 ? 5 : 21;
      std::vector<double> wall, cpu;
      once(*compiled.policy, m, *st, domains, known);  // warms the known-domain index and addresses
      for (int r = 0; r < runs; ++r) {
        Cost c = once(*compiled.policy, m, *st, domains, known);
        wall.push_back(c.wall_ms), cpu.push_back(c.cpu_ms);
      }
      std::sort(wall.begin(), wall.end());
      std::sort(cpu.begin(), cpu.end());
      std::printf("%6d recipients: end of message CPU median %.2f ms (fastest %.2f), wall median %.2f ms (%d runs)\n",
                  n, cpu[cpu.size() / 2], cpu.front(), wall[wall.size() / 2], runs);
    }
  }
  fs::remove_all(dir);
  return 0;
}
