// Throughput benchmark for ContentScanner::scan() and normalise_text(): generates about 200 MB of
// mail-like text (mostly Japanese prose, some English, dates, amounts, phone numbers, addresses, a few
// full-width digits and half-width kana, rare sensitive numbers), cuts it into 64 KB "mails", and prints
// MB/s on one thread and on all cores. Built with the project, run by hand; see bench/README.md.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "preflight/detect/content.hpp"

using preflight::detect::ContentCounts;
using preflight::detect::ContentScanner;

namespace {

const std::vector<std::string> kProse{
    "いつもお世話になっております。",
    "先日お打ち合わせいただいた件につきまして、見積書を添付いたしますのでご確認ください。",
    "ご不明な点がございましたら、担当までお気軽にお問い合わせください。",
    "来週の定例会議は会議室Ｂで開催予定です。議事録は共有フォルダに保存しました。",
    "本件は取扱注意の資料を含みますので、社外への転送はお控えください。",
    "株式会社サンプル商事　営業部　山田太郎",
    "新製品の出荷スケジュールについて、工場側と調整を進めております。",
    "ｶﾀｶﾅの半角表記が混ざることもあります。",
    "Please find the attached quotation for your review.",
    "Best regards, Taro Yamada / Sales Department",
};

std::string digits(std::mt19937& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += static_cast<char>('0' + rng() % 10);
  return s;
}

// One line with numbers in one of the forms mail really carries.
std::string numbers_line(std::mt19937& rng) {
  switch (rng() % 8) {
    case 0: return "日時：2024年" + std::to_string(1 + rng() % 12) + "月" + std::to_string(1 + rng() % 28) + "日 14:00〜";
    case 1: return "金額：" + std::to_string(rng() % 1000) + "," + digits(rng, 3) + "円（税込）";
    case 2: return "TEL 03-" + digits(rng, 4) + "-" + digits(rng, 4) + " / 携帯 090-" + digits(rng, 4) + "-" + digits(rng, 4);
    case 3: return "〒" + digits(rng, 3) + "-" + digits(rng, 4) + " 東京都千代田区丸の内" + std::to_string(rng() % 9 + 1) + "-" + std::to_string(rng() % 20 + 1);
    case 4: return "担当：yamada.taro" + digits(rng, 2) + "@example.co.jp";
    case 5: return "注文番号：ＡＢ－" + std::string("１２３４５６７") + "、数量 " + std::to_string(rng() % 100);
    case 6: return "伝票 " + digits(rng, 12) + " 件名 " + digits(rng, 16);  // random: some pass check digits
    default: return "Ref: 2024-" + digits(rng, 6) + ", qty " + std::to_string(rng() % 500);
  }
}

std::vector<std::string> make_mails(std::size_t total_bytes, std::size_t mail_bytes) {
  std::mt19937 rng(42);
  std::vector<std::string> mails;
  std::size_t produced = 0;
  while (produced < total_bytes) {
    std::string m;
    while (m.size() < mail_bytes) {
      m += (rng() % 5 == 0) ? numbers_line(rng) : kProse[rng() % kProse.size()];
      m += '\n';
    }
    produced += m.size();
    mails.push_back(std::move(m));
  }
  return mails;
}

template <class F>
double seconds(F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// CPU seconds of the calling thread: what a run costs when other processes share the cores.
double thread_cpu() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double parallel_mbps(const ContentScanner& s, const std::vector<std::string>& mails, double mb, unsigned threads) {
  return mb / seconds([&] {
    std::vector<std::thread> ts;
    for (unsigned t = 0; t < threads; ++t)
      ts.emplace_back([&, t] {
        for (std::size_t i = t; i < mails.size(); i += threads) s.scan(mails[i]);
      });
    for (auto& th : ts) th.join();
  });
}

}  // namespace

int main() {
  const std::vector<std::string> mails = make_mails(200u << 20, 64u << 10);
  std::size_t bytes = 0;
  for (const auto& m : mails) bytes += m.size();
  const double mb = static_cast<double>(bytes) / 1e6;
  const ContentScanner scanner({{"confidential", {"社外秘", "機密", "極秘", "取扱注意", "Confidential"}},
                                {"internal", {"社内限り", "Internal Only", "部外秘"}}});

  ContentCounts total;
  scanner.scan(mails[0]);  // warm up: builds the NFKC table
  double t_scan = 1e9, cpu_scan = 1e9;  // best of three: shared machines are noisy
  for (int rep = 0; rep < 3; ++rep) {
    ContentCounts c;
    const double cpu0 = thread_cpu();
    t_scan = std::min(t_scan, seconds([&] {
      for (const auto& m : mails) c += scanner.scan(m);
    }));
    cpu_scan = std::min(cpu_scan, thread_cpu() - cpu0);
    total = c;
  }
  std::size_t sink = 0;
  const double cpu0 = thread_cpu();
  const double t_norm = seconds([&] {
    for (const auto& m : mails) sink += preflight::detect::normalise_text(m).size();
  });
  const double cpu_norm = thread_cpu() - cpu0;
  const unsigned n = std::max(1u, std::thread::hardware_concurrency());
  std::printf("text: %.1f MB in %zu mails of ~64 KB\n", mb, mails.size());
  std::printf("scan():           %8.0f MB/s (1 thread, best of 3)   %8.0f MB per CPU second\n", mb / t_scan,
              mb / cpu_scan);
  std::printf("scan():           %8.0f MB/s (%u threads)\n", parallel_mbps(scanner, mails, mb, n), n);
  std::printf("normalise_text(): %8.0f MB/s (1 thread)              %8.0f MB per CPU second\n", mb / t_norm,
              mb / cpu_norm);
  std::printf("counts: my_number %lld (candidates %lld), corporate %lld, card %lld, phone %lld, postal %lld, "
              "email %lld, confidential %lld [%zu]\n",
              static_cast<long long>(total.my_number), static_cast<long long>(total.my_number_candidates),
              static_cast<long long>(total.corporate_number), static_cast<long long>(total.card_number),
              static_cast<long long>(total.phone), static_cast<long long>(total.postal_code),
              static_cast<long long>(total.email_address), static_cast<long long>(total.keywords["confidential"]),
              sink);
  return 0;
}
