// queue::Detachments over a real SQLite file and a real directory: a detach stores each file (0600, under
// a 0700 directory) and its row before it returns the body; downloads give the identical bytes, are
// counted, audited, limited and rate-limited; revocation and expiry delete the files; exceptions by
// recipient domain and the size limits.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "preflight/mail/parse.hpp"
#include "preflight/queue/detach.hpp"

using namespace preflight;
namespace fs = std::filesystem;

namespace {

const std::string kPdfBytes = std::string("%PDF-1.4\n\x00\xff binary", 18);

std::string mail_with_pdf() {
  return "From: taro@example.co.jp\r\nTo: client@partner.example\r\nSubject: quote\r\nMIME-Version: 1.0\r\n"
         "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
         "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe quote.\r\n"
         "--b1\r\nContent-Type: application/pdf\r\n"
         "Content-Disposition: attachment; filename*=UTF-8''%E8%A6%8B%E7%A9%8D%E6%9B%B8.pdf\r\n"
         "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKAP8gYmluYXJ5\r\n--b1--\r\n";
}

struct Fixture {
  fs::path dir = fs::temp_directory_path() / ("preflight-detach-" + std::to_string(getpid()));
  std::int64_t now = 1'800'000'000;
  std::shared_ptr<store::Store> store;
  std::shared_ptr<policy::Policy> policy = std::make_shared<policy::Policy>();
  std::vector<std::string> links;  // every link made: "action id actor expiry"
  std::unique_ptr<queue::Detachments> detach;
  mail::Envelope env;
  util::SpillBuffer raw{1 << 20, "/tmp"};

  Fixture() {
    fs::remove_all(dir);
    fs::create_directories(dir);
    store = *store::open_sqlite((dir / "preflight.db").string());
    policy->organisation.internal_domains = {"example.co.jp"};
    policy->detach.expire_seconds = 3600;
    policy->detach.max_downloads = 3;
    policy->detach.downloads_per_minute = 2;
    auto make = [this](const std::string& id, const std::string& actor, const std::string& action, std::int64_t until) {
      links.push_back(action + " " + id + " " + actor + " " + std::to_string(until));
      return "https://gw.example.co.jp/file/" + id;
    };
    detach = std::make_unique<queue::Detachments>(store, (dir / "detached").string(), make, [this] { return now; },
                                                  [this] { return std::shared_ptr<const policy::Policy>(policy); });
    REQUIRE(detach->prepare_and_reconcile().ok());
    env.sender = mail::parse_addr_spec("taro@example.co.jp");
    env.recipients = {mail::parse_addr_spec("client@partner.example")};
    env.queue_id = "QID1";
    REQUIRE(raw.append(mail_with_pdf()).empty());
  }
  ~Fixture() { fs::remove_all(dir); }

  util::Result<action::BodyRewrite> run() {
    auto msg = mail::parse_message(mail_with_pdf());
    return detach->detach({env, *msg, raw, *policy, nullptr});
  }
  std::string file_path(const std::string& id) const { return (dir / "detached" / (id + ".bin")).string(); }
};

unsigned mode_of(const std::string& path) {
  struct stat st{};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

}  // namespace

TEST_CASE("detach: files stored privately, downloaded identically, counted and audited") {
  Fixture f;
  auto r = f.run();
  REQUIRE(r.ok());
  REQUIRE(r->files == 1);
  auto left = mail::parse_message(action::rewritten_message(mail_with_pdf(), r->edits, r->body));
  REQUIRE(left.ok());
  CHECK(left->attachments.empty());
  std::string texts;
  for (const auto& t : left->texts) texts += t;
  CHECK(texts.find("見積書.pdf (18 bytes)") != std::string::npos);
  auto rows = f.store->detached_batch(r->batch);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 1);
  const auto row = rows->front();
  CHECK(row.filename == "見積書.pdf");
  CHECK(row.size == 18);
  CHECK(row.expires_at == f.now + 3600);
  CHECK(row.sender == "taro@example.co.jp");
  REQUIRE(f.links.size() == 1);
  CHECK(f.links[0] == "download " + row.id + "  " + std::to_string(f.now + 3600));
  CHECK(texts.find("https://gw.example.co.jp/file/" + row.id) != std::string::npos);
  auto outbox = f.store->notices_for(r->batch);  // the sender's notice, its revoke link made when it is sent
  REQUIRE(outbox.ok());
  REQUIRE(outbox->size() == 1);
  CHECK((*outbox)[0].rcpt == "taro@example.co.jp");
  CHECK((*outbox)[0].raw.find("\"revoke\"") != std::string::npos);
  CHECK(mode_of(f.file_path(row.id)) == 0600);
  CHECK(mode_of((f.dir / "detached").string()) == 0700);

  auto bytes = f.detach->download({row.id, "192.0.2.7", "Mozilla/5.0"});
  REQUIRE(bytes.ok());
  CHECK(*bytes == kPdfBytes);
  auto trail = f.store->audit_trail(r->batch);
  REQUIRE(trail.ok());
  REQUIRE(trail->size() == 2);
  CHECK((*trail)[0].action == "detach");
  CHECK((*trail)[1].action == "download");
  CHECK((*trail)[1].address == "192.0.2.7");
  CHECK((*trail)[1].comment.find("Mozilla/5.0") != std::string::npos);
  CHECK(f.detach->file(row.id)->downloads == 1);
}

TEST_CASE("detach: the per-minute rate and the download limit refuse further downloads") {
  Fixture f;
  auto r = f.run();
  REQUIRE(r.ok());
  const std::string id = f.store->detached_batch(r->batch)->front().id;
  CHECK(f.detach->download({id, "a", ""}).ok());
  CHECK(f.detach->download({id, "a", ""}).ok());
  auto third = f.detach->download({id, "a", ""});
  REQUIRE_FALSE(third.ok());
  CHECK(third.error().find("a minute") != std::string::npos);
  f.now += 61;
  CHECK(f.detach->download({id, "a", ""}).ok());  // the third of max_downloads = 3
  auto over = f.detach->download({id, "a", ""});
  REQUIRE_FALSE(over.ok());
  CHECK(over.error().find("limit") != std::string::npos);
  CHECK(f.detach->file(id)->downloads == 3);
}

TEST_CASE("detach: revocation and expiry delete the files; a deleted file is never served") {
  Fixture f;
  SUBCASE("revoke") {
    auto r = f.run();
    REQUIRE(r.ok());
    const std::string id = f.store->detached_batch(r->batch)->front().id;
    auto n = f.detach->revoke(r->batch, "taro@example.co.jp", "192.0.2.9");
    REQUIRE(n.ok());
    CHECK(*n == 1);
    CHECK_FALSE(fs::exists(f.file_path(id)));
    auto refused = f.detach->download({id, "a", ""});
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error() == "this file was revoked");
    CHECK(*f.detach->revoke(r->batch, "taro@example.co.jp", "") == 0);  // twice: nothing more to revoke
    CHECK(f.store->audit_trail(r->batch)->back().action == "revoke");
  }
  SUBCASE("expire") {
    auto r = f.run();
    REQUIRE(r.ok());
    const std::string id = f.store->detached_batch(r->batch)->front().id;
    f.now += 3599;
    f.detach->tick();
    CHECK(fs::exists(f.file_path(id)));
    f.now += 1;
    CHECK_FALSE(f.detach->download({id, "a", ""}).ok());
    f.detach->tick();
    CHECK_FALSE(fs::exists(f.file_path(id)));
    CHECK(f.detach->file(id)->state == "expired");
  }
}

TEST_CASE("detach: excepted partner domains keep their attachments; size limits refuse the mail") {
  Fixture f;
  SUBCASE("every external recipient excepted") {
    f.policy->detach.except_domains = {"partner.example"};
    auto r = f.run();
    REQUIRE(r.ok());
    CHECK(r->files == 0);
    CHECK(r->skipped == "except_domains");
  }
  SUBCASE("one external recipient outside the exceptions: detached for all") {
    f.policy->detach.except_domains = {"partner.example"};
    f.env.recipients.push_back(mail::parse_addr_spec("x@other.example"));
    CHECK(f.run()->files == 1);
  }
  SUBCASE("a file over max_file_size") {
    f.policy->detach.max_file_bytes = 17;
    auto r = f.run();
    REQUIRE(r.ok());
    CHECK(r->files == 0);
    CHECK(r->refusal.find("too large") != std::string::npos);
    CHECK(fs::is_empty(f.dir / "detached" / "tmp"));
  }
}

TEST_CASE("detach: no link can be made (no web role): an error, and nothing stays stored") {
  Fixture f;
  f.detach = std::make_unique<queue::Detachments>(
      f.store, (f.dir / "detached").string(),
      [](const std::string&, const std::string&, const std::string&, std::int64_t) { return std::string(); },
      [&f] { return f.now; }, nullptr);
  REQUIRE(f.detach->prepare_and_reconcile().ok());
  auto r = f.run();
  REQUIRE_FALSE(r.ok());
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(f.dir / "detached"))
    files += e.is_regular_file();
  CHECK(files == 0);
}
