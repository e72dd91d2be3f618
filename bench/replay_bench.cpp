// replay_bench: `preflightctl replay` over N generated mails (default 100,000) in a temporary directory of
// .eml files, with the shipped checklist policy; prints the time and mails/s. See bench/README.md.
//   replay_bench [N] [--keep DIR]   (--keep writes the mails to DIR and leaves them there)
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "preflight/cli/cli.hpp"

namespace fs = std::filesystem;

namespace {

const char* kSubjects[] = {"お見積りのご依頼", "打ち合わせの日程について", "Re: 資料送付の件", "Invoice for November",
                           "会議議事録", "ご請求書送付のご案内", "Fwd: 新製品のご案内", "Meeting notes",
                           "契約書ドラフト", "Re: Re: ご確認のお願い"};
const char* kLines[] = {"いつもお世話になっております。", "先日はお打ち合わせのお時間をいただきありがとうございました。",
                        "資料を添付いたしますので、ご確認のほどよろしくお願いいたします。",
                        "Please find the updated schedule below.", "ご不明な点がございましたらお知らせください。",
                        "来週の火曜日 14:00 からでいかがでしょうか。", "引き続きよろしくお願い申し上げます。",
                        "Best regards,"};
const char* kPartners[] = {"partner-a.co.jp", "partner-b.com", "customer-c.jp", "supplier-d.co.jp", "agency-e.ne.jp",
                           "client-f.com", "vendor-g.co.jp", "office-h.or.jp"};

struct Generator {
  std::mt19937 rng{20261130};
  int pick(int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); }
  std::string partner() {
    return "user" + std::to_string(pick(60)) + "@" + (pick(10) == 0 ? "new" + std::to_string(pick(5000)) + "-" : "") +
           kPartners[pick(8)];
  }
  std::string internal() { return "staff" + std::to_string(pick(200)) + "@example.co.jp"; }

  std::string mail(int i, std::int64_t at) {
    char date[64];
    std::time_t t = at;
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    std::ostringstream m;
    m << "From: \"社員 " << i % 20 << "\" <sender" << i % 20 << "@example.co.jp>\n";
    m << "To: " << (pick(4) == 0 ? internal() : partner());
    for (int r = pick(3); r > 0; --r) m << ", " << (pick(3) == 0 ? internal() : partner());
    m << "\n";
    if (pick(3) == 0) m << "Cc: " << internal() << "\n";
    m << "Subject: " << kSubjects[pick(10)] << "\nDate: " << date << "\nMessage-ID: <bench" << i
      << "@example.co.jp>\n";
    if (i > 10 && pick(5) == 0) m << "In-Reply-To: <bench" << i - 1 - pick(10) << "@example.co.jp>\n";
    m << "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n";
    m << "株式会社パートナー\nご担当者様\n\n";
    for (int l = 8 + pick(20); l > 0; --l) m << kLines[pick(8)] << "\n";
    return m.str();
  }
};

void generate(const fs::path& dir, int n) {
  Generator g;
  std::int64_t at = 1796000000;  // late November 2026
  for (int i = 0; i < n; ++i) {
    at += 1 + g.pick(50);
    fs::path sub = dir / std::to_string(i % 100);
    if (i < 100) fs::create_directories(sub);
    std::ofstream(sub / (std::to_string(i) + ".eml"), std::ios::binary) << g.mail(i, at);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 && argv[1][0] != '-' ? std::atoi(argv[1]) : 100000;
  fs::path dir = fs::temp_directory_path() / ("preflight-replay-bench-" + std::to_string(getpid()));
  bool keep = false;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string(argv[i]) == "--keep") dir = argv[i + 1], keep = true;
  fs::create_directories(dir / "mail");
  auto g0 = std::chrono::steady_clock::now();
  generate(dir / "mail", n);
  std::ofstream(dir / "preflight.yaml") << "state_dir: " << (dir / "state").string() << "\npolicies: ["
                                        << PREFLIGHT_SOURCE_DIR << "/policies/checklist.yaml]\n";
  auto t0 = std::chrono::steady_clock::now();
  std::ostringstream out, err;
  int rc = preflight::cli::run({"replay", (dir / "mail").string(), "--config", (dir / "preflight.yaml").string(),
                                "--json"}, out, err);
  auto t1 = std::chrono::steady_clock::now();
  double gen = std::chrono::duration<double>(t0 - g0).count(), secs = std::chrono::duration<double>(t1 - t0).count();
  std::printf("generated %d mails in %.1f s\nreplay: exit %d, %.2f s, %.0f mails/s (%zu bytes of JSON)\n", n, gen, rc,
              secs, n / secs, out.str().size());
  if (rc != 0) std::cerr << err.str();
  if (!keep) fs::remove_all(dir);
  return rc;
}
