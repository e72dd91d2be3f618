// The pages of detached attachments over real HTTP on a loopback port: GET shows the file and never
// downloads; the download is a POST with the page's one-time form token (used once, for this file only);
// the file name survives as RFC 5987 filename*; revoke works the same way; tokens of one kind never open
// pages of another.
#include <doctest/doctest.h>
#include <httplib.h>

#include <chrono>
#include <mutex>

#include "preflight/web/server.hpp"

using namespace preflight::web;
using preflight::util::Error;
using preflight::util::Result;

namespace {

const std::string kKey = "test-key-0123456789abcdef";

std::int64_t now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct Fake {
  std::mutex mu;
  DetachedFileInfo file{"f1", "見積書 2026.pdf", "application/pdf", "active", 19, now() + 3600, 0};
  std::vector<DownloadRequest> downloads;
  std::vector<std::string> revoked;

  LinkHandlers handlers() {
    LinkHandlers h{[](const std::string&) -> std::optional<MessageSummary> { return std::nullopt; },
                   [](const LinkDecision&) -> Result<std::string> { return Error{"no"}; }, {}};
    h.detach.file = [this](const std::string& id) -> std::optional<DetachedFileInfo> {
      std::lock_guard lock(mu);
      if (id != file.id) return std::nullopt;
      return file;
    };
    h.detach.download = [this](const DownloadRequest& r) -> Result<std::string> {
      std::lock_guard lock(mu);
      downloads.push_back(r);
      if (file.state != "active") return Error{"this file was " + file.state};
      return std::string("%PDF\0\xff", 6);
    };
    h.detach.batch = [this](const std::string&) {
      std::lock_guard lock(mu);
      return std::vector<DetachedFileInfo>{file};
    };
    h.detach.revoke = [this](const std::string& batch, const std::string& actor, const std::string&) -> Result<std::size_t> {
      std::lock_guard lock(mu);
      revoked.push_back(batch + " " + actor);
      file.state = "revoked";
      return std::size_t{1};
    };
    return h;
  }
  std::size_t download_calls() {
    std::lock_guard lock(mu);
    return downloads.size();
  }
};

struct Running {
  Fake fake;
  WebServer server;
  int port = 0;
  Running() : server(WebSettings{"127.0.0.1", 0, kKey}, fake.handlers()) {
    auto p = server.start();
    REQUIRE(p.ok());
    port = *p;
  }
  httplib::Client client() const { return httplib::Client("127.0.0.1", port); }
};

std::string form_token(const std::string& body) {
  std::string marker = "name=\"fetch\" value=\"";
  auto at = body.find(marker);
  REQUIRE(at != std::string::npos);
  at += marker.size();
  return body.substr(at, body.find('"', at) - at);
}

std::string link(LinkAction a, const std::string& id, std::int64_t ttl = 3600) {
  return sign_link({id, a == LinkAction::Revoke ? "taro@example.co.jp" : "", a, now() + ttl}, kKey);
}

}  // namespace

TEST_CASE("web detach: GET shows the file, POST with the one-time token downloads it once") {
  Running r;
  auto cli = r.client();
  const std::string token = link(LinkAction::Download, "f1");
  auto page = cli.Get(("/file/" + token).c_str());
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(page->body.find("見積書 2026.pdf") != std::string::npos);
  CHECK(page->body.find("19 bytes") != std::string::npos);
  CHECK(page->body.find("<form method=\"post\" action=\"/file/" + token + "\">") != std::string::npos);
  CHECK(r.fake.download_calls() == 0);  // a scanner's GET downloads nothing

  auto no_form = cli.Post(("/file/" + token).c_str(), "", "application/x-www-form-urlencoded");
  REQUIRE(no_form);
  CHECK(no_form->status == 403);
  CHECK(r.fake.download_calls() == 0);

  const std::string fetch = form_token(page->body);
  httplib::Params form{{"fetch", fetch}};
  auto got = cli.Post(("/file/" + token).c_str(), form);
  REQUIRE(got);
  CHECK(got->status == 200);
  CHECK(got->body == std::string("%PDF\0\xff", 6));
  CHECK(got->get_header_value("Content-Type") == "application/octet-stream");
  // cpp-httplib's client percent-decodes header values; the raw %E8%A6%8B... is checked through real
  // Postfix and urllib (detach_integration) and in Chromium (web_e2e).
  CHECK(got->get_header_value("Content-Disposition") ==
        "attachment; filename=\"_________ 2026.pdf\"; filename*=UTF-8''見積書 2026.pdf");
  CHECK(r.fake.download_calls() == 1);
  CHECK(r.fake.downloads[0].remote_addr == "127.0.0.1");

  auto again = cli.Post(("/file/" + token).c_str(), form);  // the same form token: used
  REQUIRE(again);
  CHECK(again->status == 403);
  CHECK(r.fake.download_calls() == 1);
}

TEST_CASE("web detach: tokens of the wrong kind or file, forged and expired ones are refused") {
  Running r;
  auto cli = r.client();
  auto other_page = cli.Get(("/file/" + link(LinkAction::Download, "f2")).c_str());
  REQUIRE(other_page);
  CHECK(other_page->status == 404);
  // A form token of another file does not download this one.
  const std::string fetch_for_f2 = sign_link({"f2", std::string(32, 'a'), LinkAction::Fetch, now() + 60}, kKey);
  auto cross = cli.Post(("/file/" + link(LinkAction::Download, "f1")).c_str(), httplib::Params{{"fetch", fetch_for_f2}});
  REQUIRE(cross);
  CHECK(cross->status == 403);
  auto revoke_as_file = cli.Get(("/file/" + link(LinkAction::Revoke, "f1")).c_str());
  REQUIRE(revoke_as_file);
  CHECK(revoke_as_file->status == 403);
  auto file_as_link = cli.Get(("/link/" + link(LinkAction::Download, "f1")).c_str());
  REQUIRE(file_as_link);
  CHECK(file_as_link->status == 403);
  auto expired = cli.Get(("/file/" + link(LinkAction::Download, "f1", -1)).c_str());
  REQUIRE(expired);
  CHECK(expired->status == 403);
  CHECK(expired->body.find("有効期限") != std::string::npos);
  CHECK(r.fake.download_calls() == 0);
}

TEST_CASE("web detach: revoke is a GET page and a POST; the file is refused afterwards") {
  Running r;
  auto cli = r.client();
  const std::string token = link(LinkAction::Revoke, "batch1");
  auto page = cli.Get(("/revoke/" + token).c_str());
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(page->body.find("見積書 2026.pdf") != std::string::npos);
  CHECK(r.fake.revoked.empty());
  auto done = cli.Post(("/revoke/" + token).c_str(), httplib::Params{{"fetch", form_token(page->body)}});
  REQUIRE(done);
  CHECK(done->status == 200);
  REQUIRE(r.fake.revoked.size() == 1);
  CHECK(r.fake.revoked[0] == "batch1 taro@example.co.jp");
  const std::string file = link(LinkAction::Download, "f1");
  auto file_page = cli.Get(("/file/" + file).c_str());
  REQUIRE(file_page);
  CHECK(file_page->body.find("<form") == std::string::npos);
  auto refused = cli.Post(("/file/" + file).c_str(), httplib::Params{{"fetch", sign_link({"f1", std::string(32, 'b'), LinkAction::Fetch, now() + 60}, kKey)}});
  REQUIRE(refused);
  CHECK(refused->status == 410);
}
