// Action-link tokens: round trip, every claim bound by the MAC, expiry, malformed input, wrong key.
#include <doctest/doctest.h>

#include <string>

#include "preflight/web/link_token.hpp"

using preflight::web::LinkAction;
using preflight::web::LinkClaims;
using preflight::web::sign_link;
using preflight::web::verify_link;
using preflight::util::Result;

namespace {

const std::string kKey = "0123456789abcdef0123456789abcdef";
constexpr std::int64_t kNow = 1'700'000'000;

LinkClaims sample() {
  LinkClaims c;
  c.message_id = "msg-0001";
  c.actor = "boss@example.jp";
  c.action = LinkAction::Approve;
  c.expires_at = kNow + 3600;
  return c;
}

// The error text, or "(ok)": a failing check must not abort the run on Result's assert.
std::string why(const Result<LinkClaims>& r) { return r.ok() ? "(ok)" : r.error(); }

std::string payload_part(const std::string& token) { return token.substr(0, token.find('.')); }
std::string mac_part(const std::string& token) { return token.substr(token.find('.') + 1); }

// The payload of `other` carrying the MAC of `original`: what an attacker who edits a claim produces.
std::string spliced(const LinkClaims& original, const LinkClaims& other) {
  return payload_part(sign_link(other, kKey)) + "." + mac_part(sign_link(original, kKey));
}

}  // namespace

TEST_CASE("link token: round trip keeps every claim") {
  LinkClaims c = sample();
  c.message_id = "id with :, separators\nand 改行";
  c.action = LinkAction::Cancel;
  std::string token = sign_link(c, kKey);
  CHECK(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") ==
        std::string::npos);
  CHECK(token.find('=') == std::string::npos);
  auto v = verify_link(token, kKey, kNow);
  REQUIRE(v.ok());
  CHECK(v->message_id == c.message_id);
  CHECK(v->actor == c.actor);
  CHECK(v->action == LinkAction::Cancel);
  CHECK(v->expires_at == c.expires_at);
}

TEST_CASE("link token: action names") {
  CHECK(std::string(preflight::web::link_action_name(LinkAction::Approve)) == "approve");
  CHECK(std::string(preflight::web::link_action_name(LinkAction::Reject)) == "reject");
  CHECK(std::string(preflight::web::link_action_name(LinkAction::Cancel)) == "cancel");
  CHECK(std::string(preflight::web::link_action_name(LinkAction::ApproveBcc)) == "approve-bcc");
  LinkClaims c = sample();
  c.action = LinkAction::ApproveBcc;
  auto v = verify_link(sign_link(c, kKey), kKey, kNow);
  REQUIRE(v.ok());
  CHECK(v->action == LinkAction::ApproveBcc);
}

TEST_CASE("link token: each claim is bound by the signature") {
  LinkClaims base = sample();
  LinkClaims other = base;
  SUBCASE("message id") { other.message_id = "msg-0002"; }
  SUBCASE("actor") { other.actor = "mallory@example.jp"; }
  SUBCASE("action") { other.action = LinkAction::Reject; }
  SUBCASE("approve becomes approve as Bcc") { other.action = LinkAction::ApproveBcc; }
  SUBCASE("expiry") { other.expires_at = base.expires_at + 86400; }
  CHECK(why(verify_link(spliced(base, other), kKey, kNow)) == "invalid signature");
}

TEST_CASE("link token: fields cannot bleed into each other") {
  LinkClaims a = sample();
  LinkClaims b = sample();
  a.message_id = "m1";
  a.actor = "x:y@example.jp";
  b.message_id = "m1x:";
  b.actor = "y@example.jp";
  CHECK(payload_part(sign_link(a, kKey)) != payload_part(sign_link(b, kKey)));
  CHECK(why(verify_link(spliced(a, b), kKey, kNow)) == "invalid signature");
  auto vb = verify_link(sign_link(b, kKey), kKey, kNow);
  REQUIRE(vb.ok());
  CHECK(vb->message_id == "m1x:");
}

TEST_CASE("link token: any changed character of the mac is rejected") {
  std::string token = sign_link(sample(), kKey);
  std::size_t mac_start = token.find('.') + 1;
  for (std::size_t i = mac_start; i < token.size(); ++i) {
    std::string forged = token;
    forged[i] = forged[i] == 'A' ? 'B' : 'A';
    CHECK(why(verify_link(forged, kKey, kNow)) == "invalid signature");
  }
}

TEST_CASE("link token: expiry") {
  std::string token = sign_link(sample(), kKey);
  CHECK(verify_link(token, kKey, kNow + 3599).ok());
  CHECK(why(verify_link(token, kKey, kNow + 3600)) == "link expired");
  CHECK(why(verify_link(token, kKey, kNow + 100000)) == "link expired");
}

TEST_CASE("link token: a forged token is refused before its expiry is looked at") {
  LinkClaims c = sample();
  c.expires_at = kNow - 10;
  LinkClaims extended = c;
  extended.expires_at = kNow + 10;
  CHECK(why(verify_link(spliced(c, extended), kKey, kNow)) == "invalid signature");
}

TEST_CASE("link token: garbage is malformed") {
  std::string good = sign_link(sample(), kKey);
  for (std::string bad : {std::string(), std::string("garbage"), std::string("."), std::string("abc.def"),
                          std::string("!!!." + mac_part(good)), "." + mac_part(good),
                          payload_part(good) + "=." + mac_part(good), payload_part(good) + ".",
                          payload_part(good) + "." + mac_part(good) + "x",
                          good + "." + mac_part(good), std::string(10000, 'A') + "." + mac_part(good)}) {
    CAPTURE(bad);
    CHECK(why(verify_link(bad, kKey, kNow)) == "malformed link");
  }
}

TEST_CASE("link token: wrong or empty key") {
  std::string token = sign_link(sample(), kKey);
  CHECK(why(verify_link(token, "another key", kNow)) == "invalid signature");
  CHECK(why(verify_link(token, "", kNow)) == "invalid signature");
  CHECK(why(verify_link(sign_link(sample(), ""), "", kNow)) == "invalid signature");
}
